"""Measures a Jupyter kernel with Debian's jupyter_client: startup and `1+1` round trips.

Usage: python3 measure.py KERNEL_NAME STARTS ROUND_TRIPS CODE
Prints one JSON object: startup seconds (list) and round-trip milliseconds (list).
Kernelspecs are looked up through JUPYTER_PATH as usual.
"""
import json
import sys
import time

from jupyter_client.manager import KernelManager


def wait_reply(client, msg_id, timeout=60):
    """Waits for the shell reply to msg_id, then for the idle status of that request."""
    while True:
        msg = client.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            break
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            return


def startup_seconds(name):
    """Seconds from launching the process to receiving the first kernel_info_reply."""
    manager = KernelManager(kernel_name=name)
    started = time.perf_counter()
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        while True:
            msg_id = client.kernel_info()
            try:
                while True:
                    msg = client.get_shell_msg(timeout=0.05)
                    if msg["parent_header"].get("msg_id") == msg_id:
                        return time.perf_counter() - started, manager, client
            except Exception:
                # No reply yet: the kernel's sockets may not be bound; ask again, as wait_for_ready does.
                if time.perf_counter() - started > 60:
                    raise TimeoutError(f"{name} did not reply to kernel_info_request within 60 s")
    except BaseException:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        raise


def main():
    name, starts, trips, code = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    startups = []
    round_trips = []
    for attempt in range(starts):
        seconds, manager, client = startup_seconds(name)
        startups.append(seconds)
        try:
            if attempt == starts - 1:
                client.wait_for_ready(timeout=60)
                for warmup in range(10):
                    wait_reply(client, client.execute(code))
                for trip in range(trips):
                    begin = time.perf_counter()
                    wait_reply(client, client.execute(code))
                    round_trips.append((time.perf_counter() - begin) * 1000)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=False)
    print(json.dumps({"startup_s": startups, "round_trip_ms": round_trips}))


if __name__ == "__main__":
    main()
