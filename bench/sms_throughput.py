"""SMS throughput: messages per second from the outbox to the SMSC's acknowledgment.

What is measured (3 runs each, the median is reported):

* value: N outbox rows (topic sms.payment_completed) are written to a fresh,
  migrated SQLite database before the clock starts; the clock runs while the
  worker's rounds (intake → submitting → submit_sm of every part →
  submit_sm_resp → submitted) take every row to `submitted`. Each text is an
  Arabic notice of about 200 characters, so 3 UCS-2 parts: 3 submit_sm per
  message. The SMSC is the simulator in its own process on loopback, with
  delivery receipts off (they are not part of "acknowledged"), rate limit off,
  the default window (32) and batch (200 rows).
* baseline: the same messages through the same SMPP gateway with no database
  (gateway.submit of prebuilt parts, same batches): the ceiling that the
  SMPP client and the simulator set on this machine, measured in the same run.

Usage:
    .venv/bin/python bench/sms_throughput.py                # 3 runs of 3,000 messages
    .venv/bin/python bench/sms_throughput.py --messages 500 --runs 1
Writes bench/results/sms_throughput.json (--output: elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from tests.smsc_support import running_smsc  # noqa: E402

from fawtara.kernel.clock import SystemClock  # noqa: E402
from fawtara.sms.adapters.gateway import SmppGateway  # noqa: E402
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork  # noqa: E402
from fawtara.sms.domain.sms import SmsKind, notice_from_payload, render, split_into_parts  # noqa: E402
from fawtara.sms.use_cases.notifications import (  # noqa: E402
    OutgoingSms,
    ReceiptBacklog,
    WorkerPolicy,
    work_once,
)
from fawtara.storage import schema  # noqa: E402
from fawtara.storage import tables as t  # noqa: E402
from fawtara.storage.engine import make_engine  # noqa: E402

PAST = datetime(2026, 1, 1, tzinfo=UTC)
BILLER_AR = "المؤسسة العامة لتوزيع الكهرباء في محافظة ريف دمشق"


def payload(n: int) -> dict[str, Any]:
    return {
        "payment_id": f"bench-{n:07d}",
        "msisdn": f"+9639{33000000 + n:08d}",
        "language": "ar",
        "biller_code": "ELEC",
        "biller_name_ar": BILLER_AR,
        "biller_name_en": "Damascus Electricity",
        "periods": ["2026-10"],
        "bill_ids": [f"b-{n}"],
        "amount_minor": 1_234_50 + n,
        "currency": "SYP",
        "receipt_no": f"RCP-2026-{n:07d}",
        "completed_at": "2026-11-01T07:00:00+00:00",
    }


def through_the_worker(smsc: Any, messages: int, work: Path) -> float:
    database = work / f"sms_{time.monotonic_ns()}.db"
    engine = make_engine(f"sqlite:///{database}")
    schema.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(t.outbox),
            [
                {"topic": "sms.payment_completed", "key": f"bench-{n:07d}", "payload": payload(n),
                 "created_at": PAST, "available_at": PAST, "attempts": 0}
                for n in range(messages)
            ],
        )  # fmt: skip
    policy, backlog, clock = WorkerPolicy(), ReceiptBacklog(), SystemClock()
    with SmppGateway(smsc.config(response_timeout_s=10, part_deadline_s=20)) as gateway:
        started = time.perf_counter()
        while True:
            done = work_once(lambda: SqlSmsUnitOfWork(engine), gateway, clock, policy, backlog)
            if done.idle:
                break
        elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        states = connection.execute(select(t.sms_messages.c.state)).scalars().all()
    engine.dispose()
    assert states.count("submitted") == messages, f"not all submitted: {set(states)}"
    return messages / elapsed


def through_the_gateway_alone(smsc: Any, messages: int, batch: int) -> float:
    texts = [
        render(notice_from_payload(SmsKind.PAYMENT_COMPLETED, payload(n))) for n in range(messages)
    ]
    outgoing = [
        OutgoingSms(n, payload(n)["msisdn"], split_into_parts(text, n % 256), 0)
        for n, text in enumerate(texts)
    ]
    with SmppGateway(smsc.config()) as gateway:
        started = time.perf_counter()
        for start in range(0, messages, batch):
            gateway.submit(outgoing[start : start + batch])
        return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--output", type=Path, default=HERE / "results" / "sms_throughput.json", help="JSON file"
    )
    options = parser.parse_args()
    sample = render(notice_from_payload(SmsKind.PAYMENT_COMPLETED, payload(1)))
    parts = len(split_into_parts(sample, 1))
    worker_runs: list[float] = []
    gateway_runs: list[float] = []
    with tempfile.TemporaryDirectory() as folder, running_smsc(receipt_delay_ms=-1) as smsc:
        for run in range(options.runs):
            smsc.reset()
            gateway_runs.append(
                through_the_gateway_alone(smsc, options.messages, WorkerPolicy().batch_rows)
            )
            smsc.reset()
            worker_runs.append(through_the_worker(smsc, options.messages, Path(folder)))
            print(f"run {run + 1}: worker {worker_runs[-1]:.0f} messages/s, "
                  f"SMPP alone {gateway_runs[-1]:.0f} messages/s", flush=True)  # fmt: skip
    value = statistics.median(worker_runs)
    baseline = statistics.median(gateway_runs)
    result = [{
        "name": "sms_throughput",
        "engine": "sqlite",
        "value": round(value),
        "unit": "messages/s",
        "target": 500,
        "baseline": {
            "name": "smpp_gateway_alone_messages_per_s",
            "value": round(baseline),
            "method": "the same messages, prebuilt parts, through the same SmppGateway to the "
                      "same simulator, in batches of 200, with no database; same run",
            "runs": [round(r) for r in gateway_runs],
        },
        "ratio": round(value / baseline, 3),
        "runs": [round(r) for r in worker_runs],
        "messages": options.messages,
        "parts_per_message": parts,
        "characters_per_message": len(sample),
        "submit_sm_per_s": round(value * parts),
        "settings": {"window": 32, "rate_per_s": 0, "batch_rows": 200, "receipts": "off"},
        "command": "python bench/sms_throughput.py",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": host.python_version()},
    }]  # fmt: skip
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"median {value:.0f} messages/s ({value * parts:.0f} submit_sm/s); "
          f"SMPP alone {baseline:.0f} messages/s")  # fmt: skip


if __name__ == "__main__":
    main()
