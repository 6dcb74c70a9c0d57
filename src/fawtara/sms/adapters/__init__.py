"""SMS over SMPP 3.4: the PDU codec, an asyncio ESME, and the SmsGateway port on it.

config.SmppConfig     where the SMSC is and how to talk to it (environment)
pdu                   PDUs and command_status codes, shared with the simulator
client.SmppClient     bind, enquire_link, rebind with backoff, window, rate, receipts
gateway.SmppGateway   the worker's SmsGateway: the client on a thread of its own
"""
