"""The billing system's links to the switch: its in-flight check and bill uploads.

`http` speaks the Biller API's switch side over HTTP with the biller's
participant key; `in_process` calls the switch's use cases on its own store,
for tests and the simulation that run both systems in one process.
"""
