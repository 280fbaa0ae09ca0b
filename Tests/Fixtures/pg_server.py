#!/usr/bin/env python3
"""A real PostgreSQL 15 server for tests: initdb into a folder of the test's, started on
127.0.0.1 and a free port (and a Unix socket in the same folder), as the `postgres` user when
run as root (the server refuses to run as root), as the caller otherwise.

  pg_server.py start DIR [CERT KEY]   initdb if needed, start (with TLS when given a
                              certificate and key); prints the port
  pg_server.py stop DIR       stop (immediate: a test's server holds nothing to keep)
  pg_server.py restart DIR    fast restart, same port: what a failover looks like to a client
  pg_server.py start-again DIR   start a stopped server on its port
  pg_server.py createdb DIR NAME
  pg_server.py psql DIR DATABASE SQL   runs SQL, prints rows as tab-separated text

Debian's postgresql-15 (make test-deps installs it). fsync is off (PG_DURABLE=1 turns it
on, for benchmarks): a test's server is thrown away, and its clean restarts flush anyway.
"""
import os
import pwd
import shlex
import socket
import subprocess
import sys

BIN = "/usr/lib/postgresql/15/bin"


def as_owner(args):
    if os.geteuid() == 0:
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(shlex.quote(a) for a in args)]
    return args


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_of(directory):
    with open(os.path.join(directory, "port")) as f:
        return f.read().strip()


def start(directory, certificate=None, key=None):
    directory = os.path.abspath(directory)
    os.makedirs(directory, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(directory, pwd.getpwnam("postgres").pw_uid, -1)
        os.chmod(directory, 0o755)
    data = os.path.join(directory, "data")
    if not os.path.exists(os.path.join(data, "PG_VERSION")):
        subprocess.run(as_owner([f"{BIN}/initdb", "-D", data, "-A", "trust", "-U", "compactd", "-E", "UTF8", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL)
    # PG_EXTRA_LISTEN: another local address to listen on (the replica chaos run's veth), and
    # trust for its /24.
    extra = os.environ.get("PG_EXTRA_LISTEN", "")
    listen = "127.0.0.1" + (f",{extra}" if extra else "")
    if extra:
        with open(os.path.join(data, "pg_hba.conf"), "a") as f:
            f.write(f"host all all {extra.rsplit('.', 1)[0]}.0/24 trust\n")
    # A certificate and key: serve TLS with them (copied in, owned by the server's user, 0600
    # as PostgreSQL demands of its key).
    tls = ""
    if certificate:
        for name, source in (("server.crt", certificate), ("server.key", key)):
            target = os.path.join(directory, name)
            with open(source, "rb") as f, open(target, "wb") as g:
                g.write(f.read())
            os.chmod(target, 0o600)
            if os.geteuid() == 0:
                os.chown(target, pwd.getpwnam("postgres").pw_uid, -1)
        tls = f" -c ssl=on -c ssl_cert_file={directory}/server.crt -c ssl_key_file={directory}/server.key"
    for _ in range(5):
        port = free_port()
        # PG_DURABLE=1 (benchmarks): fsync on, as a real server runs.
        durability = "on" if os.environ.get("PG_DURABLE") else "off"
        options = f"-p {port} -k {directory} -c listen_addresses={listen} -c fsync={durability} -c max_connections=300" + tls
        result = subprocess.run(as_owner([f"{BIN}/pg_ctl", "-D", data, "-l", os.path.join(directory, "log"), "-w", "-t", "60",
                                          "start", "-o", options]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode == 0:
            with open(os.path.join(directory, "port"), "w") as f:
                f.write(str(port))
            # start-again uses the same options (port, addresses, TLS, durability).
            with open(os.path.join(directory, "options"), "w") as f:
                f.write(options)
            print(port, flush=True)
            return 0
    sys.stderr.write(open(os.path.join(directory, "log")).read()[-2000:])
    return 1


def main():
    command, directory = sys.argv[1], os.path.abspath(sys.argv[2])
    data = os.path.join(directory, "data")
    if command == "start":
        return start(directory, *sys.argv[3:5])
    if command == "stop":
        return subprocess.run(as_owner([f"{BIN}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]), stdout=subprocess.DEVNULL).returncode
    if command == "start-again":
        with open(os.path.join(directory, "options")) as f:
            options = f.read()
        return subprocess.run(as_owner([f"{BIN}/pg_ctl", "-D", data, "-l", os.path.join(directory, "log"), "-w", "-t", "60", "start", "-o", options]),
                              stdout=subprocess.DEVNULL).returncode
    if command == "restart":
        return subprocess.run(as_owner([f"{BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "restart"]), stdout=subprocess.DEVNULL).returncode
    if command == "createdb":
        return subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", port_of(directory), "-U", "compactd", "-d", "postgres",
                               "-c", f'CREATE DATABASE "{sys.argv[3]}"'], check=True).returncode
    if command == "psql":
        return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-h", "127.0.0.1", "-p", port_of(directory), "-U", "compactd",
                               "-d", sys.argv[3], "-c", sys.argv[4]]).returncode
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
