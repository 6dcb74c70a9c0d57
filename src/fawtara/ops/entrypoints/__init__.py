"""Operations' fronts: /metrics, the operations API and the web console."""
