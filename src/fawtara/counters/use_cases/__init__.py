"""Counters' use cases: cash payments and refunds, cash books, the stations'
journal, counters and staff, with their ports (counter_ports.py).
"""
