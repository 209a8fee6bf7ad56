#!/usr/bin/env python3
"""report.py: turns one run of scripts/bench.sh into docs/perf/results.md
and the gnuplot script that draws results.png.

A separate step from the measuring so the report can be regenerated from
raw.tsv without rerunning ten minutes of benchmarks. Standard library only,
because the bench installs nothing for Python.

usage: report.py OUTDIR   (reads raw.tsv, machine.txt, notes.tsv, cost.tsv)

raw.tsv from before the CPU and MTU columns is still read: those cells are
then "-".
"""
import csv
import os
import sys

SYSTEMS = [
    ("machnet-xdp", "machnet, af_xdp"),
    ("machnet-packet", "machnet, af_packet"),
    ("machnet-memif", "machnet, memif"),
    ("kernel-udp", "kernel UDP (sockpp)"),
    ("kernel-tcp", "kernel TCP (sockpp)"),
    ("kernel-tcp9000", "kernel TCP, MTU 9000 (sockpp)"),
    ("sockperf-udp", "kernel UDP (sockperf)"),
    ("sockperf-tcp", "kernel TCP (sockperf)"),
]
MACHNET = ["machnet-xdp", "machnet-packet", "machnet-memif"]
EXPERIMENTS = [("E1", "1"), ("E2", "32")]
METRICS = [("msg_per_s", "msg/s"), ("p50_us", "p50"), ("p99_us", "p99"),
           ("p999_us", "p99.9")]
# Upstream Machnet on a 2-core VM, af_packet, everything yielding (issue 4).
UPSTREAM = {"E1": {"msg_per_s": 36000.0, "p50_us": 25.0},
            "E2": {"msg_per_s": 105000.0, "p50_us": 270.0}}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load(outdir):
    rows = {}
    with open(os.path.join(outdir, "raw.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["msgs"] == "0":  # a run with no echo has no figures
                for m in ("msg_per_s", "p50_us", "p99_us", "p999_us", "max_us",
                          "cpu_us_per_msg", "cpu_s_per_gb"):
                    r[m] = "-"
                r["note"] = (r["note"] + " no echo during the run").strip()
            rows[(r["system"], r["size"], r["window"])] = r
    return rows


def read_kv(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("\t")
                out[k] = v
    return out


def size_name(size):
    s = int(size)
    if s >= 1 << 20:
        return "%d MiB" % (s >> 20)
    if s >= 1024:
        return "%d KiB" % (s >> 10)
    return "%d B" % s


def fmt(v, rate=False):
    if v is None:
        return "-"
    if rate:
        return "{:,.0f}".format(v)
    return "%.1f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2f" % (a / b)


def sizes_of(rows):
    return sorted({int(k[1]) for k in rows})


def cpu_fmt(v):
    """Three figures, trailing zeros kept so that a column reads evenly."""
    if v is None:
        return "-"
    return "{:,.0f}".format(v) if v >= 100 else "{:#.3g}".format(v)


def table(rows, size, win):
    head = ["system", "msg/s", "CPU us/msg", "CPU s/GB", "p50 us", "p99 us",
            "p99.9 us"]
    for _, m in METRICS:
        head += [m + " ÷UDP", m + " ÷TCP"]
    head.append("note")
    lines = ["| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    udp = rows.get(("kernel-udp", str(size), win), {})
    tcp = rows.get(("kernel-tcp", str(size), win), {})
    for key, label in SYSTEMS:
        r = rows.get((key, str(size), win))
        if r is None:
            continue
        cells = [label, fmt(num(r["msg_per_s"]), True)]
        # raw.tsv from before the CPU columns has none: r.get.
        cells += [cpu_fmt(num(r.get(m))) for m in ("cpu_us_per_msg", "cpu_s_per_gb")]
        cells += [fmt(num(r[m])) for m in ("p50_us", "p99_us", "p999_us")]
        for m, _ in METRICS:
            cells.append(ratio(num(r[m]), num(udp.get(m))))
            cells.append(ratio(num(r[m]), num(tcp.get(m))))
        cells.append(r["note"] or "")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def get(rows, sysname, size, win, metric):
    r = rows.get((sysname, str(size), win))
    return num(r[metric]) if r else None


def verdict(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**not met**"


def targets(rows):
    lines = ["| system | target | measured | target value | verdict |",
             "|---|---|---|---|---|"]
    sp50 = get(rows, "sockperf-udp", 1024, "1", "p50_us")
    tcp2 = get(rows, "kernel-tcp", 1024, "32", "msg_per_s")
    for key in MACHNET:
        p50 = get(rows, key, 1024, "1", "p50_us")
        p999 = get(rows, key, 1024, "1", "p999_us")
        r1 = get(rows, key, 1024, "1", "msg_per_s")
        r2 = get(rows, key, 1024, "32", "msg_per_s")
        q2 = get(rows, key, 1024, "32", "p50_us")
        checks = [
            ("E1 1 KiB p50 <= sockperf UDP p50", fmt(p50) + " us",
             fmt(sp50) + " us",
             None if p50 is None or sp50 is None else p50 <= sp50),
            ("E1 1 KiB p99.9 < 3x own p50", fmt(p999) + " us",
             fmt(None if p50 is None else 3 * p50) + " us",
             None if p50 is None or p999 is None else p999 < 3 * p50),
            ("E2 1 KiB msg/s >= 2x kernel TCP", fmt(r2, True),
             fmt(None if tcp2 is None else 2 * tcp2, True),
             None if r2 is None or tcp2 is None else r2 >= 2 * tcp2),
            ("E1 1 KiB msg/s >= 2x upstream (36K)", fmt(r1, True),
             fmt(2 * UPSTREAM["E1"]["msg_per_s"], True),
             None if r1 is None else r1 >= 2 * UPSTREAM["E1"]["msg_per_s"]),
            ("E1 1 KiB p50 <= upstream / 2 (25 us)", fmt(p50) + " us",
             fmt(UPSTREAM["E1"]["p50_us"] / 2) + " us",
             None if p50 is None else p50 <= UPSTREAM["E1"]["p50_us"] / 2),
            ("E2 1 KiB msg/s >= 2x upstream (105K)", fmt(r2, True),
             fmt(2 * UPSTREAM["E2"]["msg_per_s"], True),
             None if r2 is None else r2 >= 2 * UPSTREAM["E2"]["msg_per_s"]),
            ("E2 1 KiB p50 <= upstream / 2 (270 us)", fmt(q2) + " us",
             fmt(UPSTREAM["E2"]["p50_us"] / 2) + " us",
             None if q2 is None else q2 <= UPSTREAM["E2"]["p50_us"] / 2),
        ]
        for name, got, want, ok in checks:
            lines.append("| %s | %s | %s | %s | %s |" %
                         (dict(SYSTEMS)[key], name, got, want, verdict(ok)))
    return lines


def best_veth(rows, size, win):
    """(label, msg/s) of the faster veth PMD at size and window."""
    best = None
    for key in ("machnet-xdp", "machnet-packet"):
        v = get(rows, key, size, win, "msg_per_s")
        if v is not None and (best is None or v > best[1]):
            best = (dict(SYSTEMS)[key], v)
    return best


def bulk_targets(rows):
    """Issue 12's targets: E2 msg/s against kernel TCP, CPU per GB."""
    lines = ["| size | target | measured | target value | verdict |",
             "|---|---|---|---|---|"]
    for size, factor in ((64, 2), (1024, 2), (8192, 1), (65536, 1),
                         (1048576, 1)):
        tcp = get(rows, "kernel-tcp", size, "32", "msg_per_s")
        best = best_veth(rows, size, "32")
        want = None if tcp is None else factor * tcp
        got = "-" if best is None else "%s (%s)" % (fmt(best[1], True), best[0])
        lines.append("| %s | E2 msg/s on a veth PMD >= %sx kernel TCP | %s | %s | %s |" % (
            size_name(size), factor, got, fmt(want, True),
            verdict(None if best is None or want is None else best[1] >= want)))
    for size in (8192, 65536, 1048576):
        tcp = get(rows, "kernel-tcp", size, "32", "msg_per_s")
        memif = get(rows, "machnet-memif", size, "32", "msg_per_s")
        want = None if tcp is None else 2 * tcp
        lines.append("| %s | E2 msg/s on memif >= 2x kernel TCP | %s | %s | %s |" % (
            size_name(size), fmt(memif, True), fmt(want, True),
            verdict(None if memif is None or want is None else memif >= want)))
    for size in (65536, 1048576):
        tcp = get(rows, "kernel-tcp", size, "32", "cpu_s_per_gb")
        for key in MACHNET:
            v = get(rows, key, size, "32", "cpu_s_per_gb")
            lines.append("| %s | %s: CPU s/GB <= kernel TCP's | %s | %s | %s |" % (
                size_name(size), dict(SYSTEMS)[key], cpu_fmt(v), cpu_fmt(tcp),
                verdict(None if v is None or tcp is None else v <= tcp)))
    return lines


def cctrace_lines(outdir, window=256):
    """Issue 12: a bulk flow's cwnd and srtt over time (cctrace.tsv)."""
    path = os.path.join(outdir, "cctrace.tsv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        rows = [{k: float(v) for k, v in r.items()}
                for r in csv.DictReader(f, delimiter="\t")]
    if len(rows) < 3:
        return ["## Congestion window of a bulk flow", "",
                "Too few samples (%d) in cctrace.tsv." % len(rows), ""]
    lines = ["## Congestion window of a bulk flow", "",
             "machnet over af_packet at its largest MTU, 1 MiB messages, "
             "window 32: host A's flow as /machnet/flows showed it every "
             "20 ms (`bench/cctrace.py`; the engine refreshes cwnd and srtt "
             "every millisecond). rate is the bytes the flow sent between "
             "two samples; cwnd x MSS / srtt is what the window allows at "
             "that round trip. The flow's window is at most %d packets "
             "(`transport.window`)." % window, "",
             "| t (ms) | cwnd (packets) | srtt (us) | rate (MB/s) | cwnd x MSS / srtt (MB/s) | retransmits |",
             "|---|---|---|---|---|---|"]
    step = max(1, (len(rows) - 1) // 12)
    for i in range(step, len(rows), step):
        a, b = rows[i - step], rows[i]
        dt = (b["t_ms"] - a["t_ms"]) / 1000.0
        rate = (b["tx_bytes"] - a["tx_bytes"]) / dt / 1e6 if dt > 0 else 0
        allowed = b["cwnd"] * b["mss"] / b["srtt_us"] if b["srtt_us"] else 0
        lines.append("| %.0f | %.1f | %.0f | %.0f | %.0f | %d |" % (
            b["t_ms"], b["cwnd"], b["srtt_us"], rate, allowed,
            b["retransmits"]))
    cw = sorted(r["cwnd"] for r in rows)
    lines += ["", "cwnd over the run: min %.1f, median %.1f, max %.1f "
              "packets, in %d samples." % (cw[0], cw[len(cw) // 2], cw[-1],
                                            len(rows)), ""]
    return lines


def cost(outdir):
    """{run: (messages, {metric: value})} from cost.tsv, or None."""
    path = os.path.join(outdir, "cost.tsv")
    if not os.path.exists(path):
        return None
    runs = {}
    with open(path) as f:
        for line in f:
            run, msgs, metric, value = line.split("\t")
            runs.setdefault(run, (float(msgs), {}))[1][metric] = float(value)
    return runs


def callgrind_lines(runs):
    _, idle = runs.pop("idle")
    empty = idle["instructions"] / idle["engine_passes"]
    lines = [
        "The engine thread of the client host's machnetd (af_packet) under "
        "callgrind, 1 KiB request/responses, user space only (the kernel's "
        "work for af_packet is not counted). The engine yields but never "
        "sleeps, so most passes find nothing to do and the gross figure "
        "depends on how long the run waited on the other processes. An "
        "idle interval (no flow open) of {:,.0f} engine passes gives {:,.0f} "
        "instructions per empty pass; 'work' takes that cost off every pass "
        "of the run. A pass with a flow open costs more than an idle one, "
        "so 'work' is an upper bound on the instructions the messages "
        "themselves need.".format(
            idle["engine_passes"], empty),
        "",
        "| run | messages | instructions | engine passes | passes per message "
        "| **instructions per message** | work per message (upper bound) |",
        "|---|---|---|---|---|---|---|"]
    for name, (msgs, m) in runs.items():
        ir, steps = m["instructions"], m["engine_passes"]
        lines.append("| {} | {:,.0f} | {:,.0f} | {:,.0f} | {:.1f} | **{:,.0f}** "
                     "| {:,.0f} |".format(
                         name.replace("window", "window "), msgs, ir, steps,
                         steps / msgs, ir / msgs, (ir - steps * empty) / msgs))
    lines += ["", "Where the instructions of the window 32 run go: "
              "[cost_profile.txt](cost_profile.txt)."]
    return lines


def per_msg(v):
    return "{:,.0f}".format(v) if v >= 100 else "{:.3g}".format(v)


def perf_lines(runs):
    metrics = sorted({k for _, m in runs.values() for k in m})
    lines = ["The engine thread of the client host's machnetd (af_packet), "
             "counted by perf stat for the length of each run of 1 KiB "
             "request/responses (user and kernel).", "",
             "| run | messages | " + " | ".join(
                 "%s per message" % k for k in metrics) + " |",
             "|---|---|" + "---|" * len(metrics)]
    for name, (msgs, m) in runs.items():
        lines.append("| %s | %s | %s |" % (
            name.replace("window", "window "), "{:,.0f}".format(msgs),
            " | ".join(per_msg(m[k] / msgs) if k in m else "-"
                       for k in metrics)))
    return lines


def cost_lines(outdir, notes):
    runs = cost(outdir)
    lines = ["## Engine CPU cost per message", ""]
    if "cost_tool" in notes:
        lines += [notes["cost_tool"] + ".", ""]
    if runs is None:
        lines.append("No figure: %s." % notes.get("cost", "the cost run did not run"))
        return lines
    if "idle" in runs:
        return lines + callgrind_lines(runs)
    return lines + perf_lines(runs)


# Where each system's MTU comes from: the kernel's view of the link, or
# for memif, which has no kernel link, machnetd's configuration.
MTU_SOURCE = {
    "machnet-xdp": "machnetd's start-up line (the veth's, with XDP)",
    "machnet-packet": "machnetd's start-up line (the veth's)",
    "machnet-memif": "machnetd's start-up line (memif's buffer size)",
    "kernel-udp": "the kernel's veth (ip link)",
    "kernel-tcp": "the kernel's veth (ip link)",
    "kernel-tcp9000": "the kernel's veth (ip link), set to 9000 for this row",
    "sockperf-udp": "the kernel's veth (ip link)",
    "sockperf-tcp": "the kernel's veth (ip link)",
}


def link_of(rows, key):
    """(mtu, mss) of a system, from its first row that has them."""
    for (k, _, _), r in sorted(rows.items()):
        if k == key and (r.get("mtu") or "-") != "-":
            return r["mtu"], r.get("mss") or "-"
    return None


def mtu_lines(rows):
    links = [(label, link_of(rows, key), MTU_SOURCE[key])
             for key, label in SYSTEMS if link_of(rows, key)]
    if not links:  # raw.tsv from before the MTU was recorded
        return []
    lines = ["## MTU", "",
             "The MTU each system ran with and, for machnet, the largest "
             "payload per packet (MSS) that machnetd printed when it was "
             "ready; a larger message is cut into packets of that size. "
             "Kernel UDP is held to the MTU too (a datagram goes as IP "
             "fragments), kernel TCP is not: a veth hands TCP's GSO "
             "packets of up to 64 KiB to its peer whole, so the kernel "
             "pays most per-packet costs once per up to 64 KiB where "
             "machnet pays them once per MSS.", "",
             "| system | MTU | MSS | MTU of |", "|---|---|---|---|"]
    for label, (mtu, mss), source in links:
        lines.append("| %s | %s | %s | %s |" % (label, mtu, mss, source))
    return lines + [""]


def cpu_lines(machine):
    text = ("**CPU us/msg, CPU s/GB**: the CPU time a system spent from "
            "just before the client started to just after it exited "
            "(start-up included; raw.tsv's wall_s), per message and per GB "
            "(10^9 bytes) moved. A message is a round trip completed in the "
            "run (msgs= in msg_gen's summary and sockpp's line: echoes "
            "received), and it moved its size twice, request and response. "
            "Machnet: user and system time, all threads, of both machnetd "
            "and both applications. machnetd busy-polls (engine idle "
            "`yield`), taking what CPU it is given, work or none: that is "
            "its real cost, counted as it is (raw.tsv's machnetd_s). "
            "Kernel (sockpp): user and system time of client and server, "
            "plus the machine's softirq time from /proc/stat (softirq_s), "
            "for the network work no process may be charged with. sockperf "
            "rows have none. Process times are the scheduler's run time "
            "(the client's from its rusage, the others' from "
            "/proc/PID/stat); /proc/stat's softirq and busy time (busy_s, "
            "the whole machine's) are tick samples: rough over a short run, "
            "and low for processes that run in short bursts, as the kernel "
            "tools do. For machnet, whose processes never sleep, busy_s "
            "beyond procs_s is CPU that went to other processes.")
    if any("IRQ_TIME_ACCOUNTING off" in l for l in machine):
        text += (" This kernel has no CONFIG_IRQ_TIME_ACCOUNTING "
                 "(machine.txt): softirq work done in a process's context, "
                 "where a veth's receive work mostly runs, is in that "
                 "process's time already, so adding softirq_s counts it "
                 "twice and the kernel's figure is high; procs_s alone is "
                 "closer. For machnet over af_xdp and af_packet that work "
                 "is likewise in machnetd's time (softirq_s is shown for "
                 "those rows, not added).")
    return [text, ""]


def markdown(outdir, rows):
    with open(os.path.join(outdir, "machine.txt")) as f:
        machine = [l.rstrip("\n") for l in f if l.strip()]
    notes = read_kv(os.path.join(outdir, "notes.tsv"))
    out = ["# Benchmark results", "",
           "Generated by `scripts/bench.sh` (`make bench`); explained in "
           "[../PERFORMANCE.md](../PERFORMANCE.md). All figures come from "
           "this one run on this one machine.", "",
           "## Machine", ""]
    out += ["- " + l for l in machine]
    out += ["", "**Processes share cores.** The machine has %s cores; two "
            "machnetd (engine idle mode `yield`) and two applications "
            "(`--idle yield`), or two kernel-socket processes and the "
            "kernel's softirq work, all run on them at once. No process "
            "has a core of its own." % os.cpu_count(), ""]
    other = {k: v for k, v in notes.items() if k not in ("cost", "cost_tool")}
    if other:
        out += ["Notes:", ""] + ["- %s: %s" % kv for kv in sorted(other.items())] + [""]
    out += ["Round trips in microseconds, measured by the client per message. "
            "Ratios are the system's figure divided by the kernel's "
            "(sockpp UDP, sockpp TCP) for the same size and window in this "
            "run: above 1 is better for msg/s, below 1 is better for "
            "latency.", ""]
    out += cpu_lines(machine)
    for exp, win in EXPERIMENTS:
        out += ["## %s: window %s" % (exp, win), ""]
        for size in sizes_of(rows):
            out += ["### %s, %s" % (exp, size_name(size)), ""]
            out += table(rows, size, win) + [""]
    out += mtu_lines(rows)
    out += ["## Targets of issue 4", "",
            "Upstream figures are those quoted in the issue (another "
            "machine, another day); the kernel figures are from this run. "
            "The kernel tools block between messages while machnet's "
            "processes poll: in a VM, waking an idle vCPU costs the kernel "
            "tens of microseconds per message that machnet does not pay, "
            "so on a quiet VM the kernel's window-1 latency looks worse "
            "than on a busy one (see ../PERFORMANCE.md).",
            ""] + targets(rows) + [""]
    out += ["## Targets of issue 12", "",
            "Against kernel TCP on the veth's default MTU, in this run; "
            "\"a veth PMD\" is the faster of af_xdp and af_packet, named. "
            "E1 1 KiB p50 against kernel UDP is in the table above.", ""]
    out += bulk_targets(rows) + [""]
    out += cctrace_lines(outdir)
    out += cost_lines(outdir, notes) + [""]
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(out))


def write_dat(path, header, lines):
    with open(path, "w") as f:
        f.write(" ".join('"%s"' % h for h in header) + "\n")
        for l in lines:
            f.write(" ".join(l) + "\n")


def val(v):
    return "-" if v is None or v <= 0 else "%g" % v


def measured(rows, win, size=None):
    """The systems with a figure at this window (and size, if given):
    ping-pong has no window 32, so it has no place in the E2 charts."""
    sizes = sizes_of(rows) if size is None else [size]
    return [(k, l) for k, l in SYSTEMS
            if any(get(rows, k, s, win, "msg_per_s") for s in sizes)]


def chart(outdir, rows):
    gp = ['set terminal pngcairo size 1600,1100 font "sans,10"',
          'set output "%s"' % os.path.join(outdir, "results.png"),
          "set termoption noenhanced",  # af_xdp, not af subscript x
          'set datafile missing "-"',
          "set style data histograms",
          "set style histogram clustered gap 1",
          "set style fill solid 0.85 border -1",
          # A bar must rise from below the smallest figure to be seen.
          "set logscale y", "set yrange [1:*]", "set grid ytics", "set key top right font \",9\"",
          "set multiplot layout 2,2 title \"machnet-c vs kernel, one run, "
          "shared 2-core VM (see docs/perf/results.md)\""]
    for exp, win in EXPERIMENTS:
        present = measured(rows, win)
        path = os.path.join(outdir, "rate_%s.dat" % exp)
        write_dat(path, ["size"] + [l for _, l in present],
                  [['"%s"' % size_name(s)] +
                   [val(get(rows, k, s, win, "msg_per_s")) for k, _ in present]
                   for s in sizes_of(rows)])
        gp += ['set title "%s (window %s): messages/s by message size"' % (exp, win),
               'set ylabel "messages/s"',
               "plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)"
               % (len(present) + 1, path)]
    gp += ["set bmargin 5", "set xtics font \",8\""]
    for exp, win in EXPERIMENTS:
        path = os.path.join(outdir, "lat_%s.dat" % exp)
        write_dat(path, ["system", "p50", "p99", "p99.9"],
                  [['"%s"' % l.replace(", ", "\\n").replace(" (", "\\n(")] +
                   [val(get(rows, k, 1024, win, m))
                    for m in ("p50_us", "p99_us", "p999_us")]
                   for k, l in measured(rows, win, 1024)])
        gp += ['set title "%s (window %s), 1 KiB: round-trip percentiles"' % (exp, win),
               'set ylabel "microseconds"',
               "plot for [i=2:4] '%s' using i:xtic(1) title columnheader(i)" % path]
    gp.append("unset multiplot")
    with open(os.path.join(outdir, "results.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    rows = load(outdir)
    markdown(outdir, rows)
    chart(outdir, rows)


if __name__ == "__main__":
    main()
