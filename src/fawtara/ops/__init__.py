"""Operations: alerts, figures, probes, logs, metrics and the console."""
