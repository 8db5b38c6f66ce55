"""Starts the tslab-widgets kernel from its kernelspec with jupyter_client's KernelManager.

Prints one JSON line with the connection info (key included) and the kernel's pid, then obeys
commands on stdin, one per line: "alive" prints {"alive": bool}; "interrupt" interrupts the
kernel the way its kernelspec says (a SIGINT) and prints {"interrupted": true}; "shutdown" (or EOF) shuts the
kernel down and prints {"alive_before_shutdown": bool, "exit_code": int}.
"""

import json
import sys

from jupyter_client.manager import KernelManager


def main():
    km = KernelManager(kernel_name="tslab-widgets")
    km.start_kernel(cwd=sys.argv[1] if len(sys.argv) > 1 else None)
    info = km.get_connection_info()
    info = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in info.items()}
    info["pid"] = km.provisioner.process.pid
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "alive":
            print(json.dumps({"alive": km.is_alive()}), flush=True)
        elif command == "interrupt":
            km.interrupt_kernel()
            print(json.dumps({"interrupted": True}), flush=True)
        elif command == "shutdown":
            break
    alive = km.is_alive()
    process = km.provisioner.process
    km.shutdown_kernel(now=False)
    # 0: the kernel exited by itself on shutdown_request; negative: jupyter_client had to kill it.
    print(json.dumps({"alive_before_shutdown": alive, "exit_code": process.returncode}), flush=True)


if __name__ == "__main__":
    main()
