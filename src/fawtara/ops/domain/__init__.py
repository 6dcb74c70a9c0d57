"""Operations' pure rules: alerts and the figures of the console."""
