"""A standalone Kafka (tacos-broker: librdkafka's mock cluster in its own process) and kcat, the
real command-line Kafka client, for end-to-end tests of the worker path."""
import subprocess


class Broker:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("bootstrap.servers="):
            self.proc.kill()
            raise RuntimeError("tacos-broker did not start: " + line)
        self.bootstrap = line.split("=", 1)[1]

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()


class Kcat:
    # Separates messages kcat reads or writes; protobuf bytes do not contain it by chance.
    DELIMITER = b"\x1e\x1etacos-message-end\x1e\x1e"

    def __init__(self, bootstrap):
        self.base = ["kcat", "-b", bootstrap, "-q"]

    def records(self, topic):
        """Every record of `topic` from the beginning: dicts of key, partition, offset, headers."""
        out = subprocess.run(self.base + ["-C", "-t", topic, "-o", "beginning", "-e", "-f",
                                          "%k\t%p\t%o\t%h\n"],
                             check=True, capture_output=True, timeout=30).stdout.decode()
        records = []
        for line in out.splitlines():
            if not line.strip():
                continue
            k, p, o, h = (line.split("\t") + [""])[:4]
            headers = dict(kv.split("=", 1) for kv in h.split(",") if "=" in kv)
            records.append({"key": k, "partition": int(p), "offset": int(o), "headers": headers})
        return records

    def payload(self, topic, partition, offset):
        """The raw value of one record."""
        return subprocess.run(self.base + ["-C", "-t", topic, "-p", str(partition), "-o",
                                           str(offset), "-c", "1", "-e", "-f", "%s"],
                              check=True, capture_output=True, timeout=30).stdout

    def produce(self, topic, key, values, headers=()):
        """Produces each of `values` (bytes) with `key` and `headers` (name=value strings)."""
        args = self.base + ["-P", "-t", topic, "-k", key, "-D", self.DELIMITER.decode("latin-1")]
        for h in headers:
            args += ["-H", h]
        data = b"".join(v + self.DELIMITER for v in values)
        subprocess.run(args, input=data, check=True, timeout=30)
