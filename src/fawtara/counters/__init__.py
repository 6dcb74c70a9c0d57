"""Cash counters at telephone centres: counters, shifts, staff, cash books, the
stations' journal. Layered inside: domain/, use_cases/, adapters/, entrypoints/.
"""
