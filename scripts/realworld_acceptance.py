#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real-world acceptance: uebpf's loader and verifier on a corpus of
compiled programs nobody wrote for uebpf (vbpf/ebpf-samples: Cilium, the
kernel's samples, Open vSwitch, Suricata, Falco, prototype-kernel, ...),
compared with the kernel's verifier on this machine and with the verdicts
PREVAIL's test suite records for the same programs.

    scripts/realworld_acceptance.py CORPUS [--prevail TEST_VERIFY.cpp]
        [--tool build/tests/verifier/verifier_corpus_test] [--out DIR]

CORPUS is a checkout of ebpf-samples (one directory per project, *.o
objects in them). Every program of every object is loaded alone into
uebpf and into the kernel by verifier_corpus_test (docs/verifier.md); this
script gives each object the program type its loader would give the
programs whose section names none, then writes DIR/realworld_results.md (summary,
reasons, disagreements, the table of every program), DIR/realworld_results.tsv
(the tool's report) and DIR/realworld_results.log (its output), and prints the
summary. Needs root (the kernel's bpf()). Exits 1 when uebpf accepts a
program the kernel's verifier rejects.

PREVAIL's verdicts come from the macros of its src/test/test_verify.cpp:
TEST_SECTION, TEST_SECTION_LEGACY, TEST_PROGRAM and
TEST_SECTION_REJECT_IF_STRICT (accepted without the strict option) are
programs PREVAIL accepts; TEST_SECTION_FAIL and TEST_SECTION_LEGACY_FAIL
are programs it rejects although they are expected to pass (its false
positives, marked [!shouldfail] for Catch2); TEST_SECTION_REJECT and
TEST_PROGRAM_REJECT are programs it rejects as expected;
TEST_SECTION_REJECT_FAIL and TEST_PROGRAM_REJECT_FAIL programs it accepts
although it should not; FAIL_LOAD_ELF, FAIL_UNMARSHAL and FAIL_ANALYZE
objects or sections it refuses before verification.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TOOL = os.path.join(HERE, "..", "build", "tests", "verifier", "verifier_corpus_test")

# PREVAIL's macros: verdict, and whether it identifies one program of
# the section by name.
PREVAIL_MACROS = {
    "TEST_SECTION": ("accept", False),
    "TEST_SECTION_LEGACY": ("accept", False),
    "TEST_SECTION_REJECT_IF_STRICT": ("accept", False),
    "TEST_SECTION_REJECT_FAIL": ("accept", False),
    "TEST_PROGRAM": ("accept", True),
    "TEST_PROGRAM_REJECT_FAIL": ("accept", True),
    "TEST_SECTION_FAIL": ("reject", False),
    "TEST_SECTION_LEGACY_FAIL": ("reject", False),
    "TEST_SECTION_REJECT": ("reject", False),
    "TEST_PROGRAM_REJECT": ("reject", True),
    "FAIL_LOAD_ELF": ("unloadable", False),
    "FAIL_UNMARSHAL": ("unloadable", False),
    "FAIL_ANALYZE": ("unloadable", False),
}


def prevail_verdicts(path):
    """{(project, file, section, program or None): (verdict, macro)}."""
    verdicts = {}
    if not path:
        return verdicts
    text = open(path, encoding="utf-8").read()
    # Only lines that use a macro (not its #define).
    pat = re.compile(r'^\s*([A-Z_]+)\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"'
                     r'(?:\s*,\s*"([^"]*)")?', re.M)
    for m in pat.finditer(text):
        macro, project, obj, section, program = m.groups()
        if macro not in PREVAIL_MACROS:
            continue
        verdict, by_name = PREVAIL_MACROS[macro]
        key = (project, obj, section, program if by_name else None)
        verdicts[key] = (verdict, macro)
    return verdicts


def default_type(project, obj):
    """The program type the object's own loader gives programs whose
    section names none (sections such as "2/7", "from-netdev", "filter"):
    Cilium's and Open vSwitch's old objects are tc programs loaded by
    iproute2 (Cilium's XDP ones when the file says so, as PREVAIL decides
    too), Suricata's bypass filter is a tc filter, its load balancer a
    socket filter; the kernel's LWT sample is an lwt_xmit program, its
    tc samples (and prototype-kernel's) tc programs; anything else a
    socket filter (PREVAIL's default)."""
    if project.startswith("cilium") or project == "bpf_cilium_test":
        return "xdp" if "xdp" in obj else "sched_cls"
    if project == "ovs":
        return "sched_cls"
    if project == "suricata":
        return "sched_cls" if "bypass" in obj else "socket_filter"
    if obj.startswith("lwt_len_hist"):
        return "lwt_xmit"
    # The kernel's and prototype-kernel's samples loaded with tc.
    if re.match(r"(tc_|tcbpf|test_cgrp2_tc|xdp2skb_meta|xdp_vlan01)", obj):
        return "sched_cls"
    return "socket_filter"


def objects(corpus):
    """[(project, file, path)] of every *.o, by project and name."""
    found = []
    for project in sorted(os.listdir(corpus)):
        pdir = os.path.join(corpus, project)
        if not os.path.isdir(pdir):
            continue
        for root, _, files in os.walk(pdir):
            for f in sorted(files):
                if f.endswith(".o"):
                    rel = os.path.relpath(os.path.join(root, f), pdir)
                    found.append((project, rel, os.path.join(root, f)))
    return found


Row = collections.namedtuple(
    "Row", "project obj program section type kernel k_reason uebpf lacks u_reason "
    "k_insns u_insns prevail prevail_macro")


def shape(reason):
    """A reason with its numbers as N and quoted names as '*', so that
    alike reasons group."""
    reason = re.sub(r"'[^']*'", "'*'", reason)
    reason = re.sub(r"(?<![A-Za-z_])(0x[0-9a-f]+|-?\d+)", "N", reason)
    reason = re.sub(r" \(insn N.*$", "", reason)
    reason = re.sub(r" \([^()]*\.[ch]:N:.*$", "", reason)
    return reason


def uebpf_reason(row):
    """uebpf's reason without the place (path, program, instruction)."""
    r = row.u_reason
    r = re.sub(r"^.*?\.o: ", "", r)
    r = re.sub(r"^insn \d+: ", "", r)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", help="ebpf-samples checkout (one directory per project)")
    ap.add_argument("--prevail", help="PREVAIL's src/test/test_verify.cpp")
    ap.add_argument("--tool", default=DEFAULT_TOOL, help="verifier_corpus_test binary")
    ap.add_argument("--out", default=".", help="directory for realworld_results.{md,tsv,log}")
    args = ap.parse_args()

    objs = objects(args.corpus)
    if not objs:
        sys.exit(f"{args.corpus}: no *.o objects in its directories")
    os.makedirs(args.out, exist_ok=True)
    tsv = os.path.join(args.out, "realworld_results.tsv")
    log = os.path.join(args.out, "realworld_results.log")

    cmd = [args.tool, "-o", tsv]
    current = None
    for project, rel, path in objs:
        t = default_type(project, rel)
        if t != current:
            cmd += ["-t", t]
            current = t
        cmd.append(path)
    with open(log, "w") as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc not in (0, 1):
        sys.exit(f"{args.tool} ended with {rc}: see {log}")

    prevail = prevail_verdicts(args.prevail)
    by_path = {path: (project, rel) for project, rel, path in objs}
    rows = []
    for line in open(tsv, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) != 11:
            continue
        project, rel = by_path.get(f[0], ("?", os.path.basename(f[0])))
        key = (project, rel, f[2])
        pv = prevail.get(key + (f[1],)) or prevail.get(key + (None,))
        rows.append(Row(project, rel, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8],
                        int(f[9]), int(f[10]), pv[0] if pv else "", pv[1] if pv else ""))
    seen = {(r.project, r.obj, r.section) for r in rows}
    seen |= {(r.project, r.obj, r.section, r.program) for r in rows}
    prevail_missing = sorted(k for k in prevail
                             if (k[:3] if k[3] is None else k) not in seen)

    md = report(rows, prevail, prevail_missing, args)
    with open(os.path.join(args.out, "realworld_results.md"), "w") as out:
        out.write(md)
    summary = md.split("\n## Every program")[0]
    print(summary)
    unsafe = [r for r in rows if r.uebpf == "accept" and r.kernel == "reject"]
    return 1 if unsafe else 0


def pct(n, d):
    return f"{n}/{d}" + (f" ({100.0 * n / d:.0f}%)" if d else "")


def report(rows, prevail, prevail_missing, args):
    out = []
    w = out.append
    progs = [r for r in rows if r.program != "-"]
    unopened = [r for r in rows if r.program == "-"]
    nobj = len({(r.project, r.obj) for r in rows})
    w("# Real-world acceptance: results\n")
    w("Generated by `scripts/realworld_acceptance.py` (see [realworld.md](realworld.md)); "
      "kernel " + os.uname().release + ".\n")
    w(f"Corpus: `{args.corpus}`; {nobj} objects, {len(progs)} programs; "
      f"{len(unopened)} objects uebpf does not open.\n")

    # Per project.
    w("| project | objects | opened | programs | uebpf accepts | kernel accepts | "
      "kernel rejects | kernel n/a | PREVAIL verdicts | PREVAIL accepts | "
      "uebpf accepts of those |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    tot = collections.Counter()
    for project in sorted({r.project for r in rows}):
        pr = [r for r in rows if r.project == project]
        pp = [r for r in pr if r.program != "-"]
        c = collections.Counter()
        c["objects"] = len({r.obj for r in pr})
        c["opened"] = len({r.obj for r in pp})
        c["programs"] = len(pp)
        c["u_acc"] = sum(r.uebpf == "accept" for r in pp)
        c["k_acc"] = sum(r.kernel == "accept" for r in pp)
        c["k_rej"] = sum(r.kernel == "reject" for r in pp)
        c["k_na"] = sum(r.kernel == "n/a" for r in pp)
        c["p_any"] = sum(bool(r.prevail) for r in pp)
        c["p_acc"] = sum(r.prevail == "accept" for r in pp)
        c["pu_acc"] = sum(r.prevail == "accept" and r.uebpf == "accept" for r in pp)
        tot.update(c)
        w(f"| {project} | {c['objects']} | {c['opened']} | {c['programs']} | {c['u_acc']} | "
          f"{c['k_acc']} | {c['k_rej']} | {c['k_na']} | {c['p_any']} | {c['p_acc']} | "
          f"{c['pu_acc']} |")
    w(f"| **all** | {tot['objects']} | {tot['opened']} | {tot['programs']} | {tot['u_acc']} | "
      f"{tot['k_acc']} | {tot['k_rej']} | {tot['k_na']} | {tot['p_any']} | {tot['p_acc']} | "
      f"{tot['pu_acc']} |")
    w("")

    # Against the kernel.
    ka = [r for r in progs if r.kernel == "accept"]
    w("## Against the kernel\n")
    w(f"- kernel-accepted programs uebpf accepts: {pct(sum(r.uebpf == 'accept' for r in ka), len(ka))}"
      f"; uebpf lacks a feature for {sum(r.uebpf == 'lacks' for r in ka)}, "
      f"rejects {sum(r.uebpf == 'reject' for r in ka)}")
    kr = [r for r in progs if r.kernel == "reject"]
    unsafe = [r for r in kr if r.uebpf == "accept"]
    w(f"- kernel-rejected programs: {len(kr)}; uebpf accepts {len(unsafe)} of them"
      + (" (UNSAFE: " + ", ".join(f"{r.project}/{r.obj}:{r.program}" for r in unsafe) + ")"
         if unsafe else ""))
    na = [r for r in progs if r.kernel == "n/a"]
    w(f"- programs the kernel could not judge here (its environment refused them): {len(na)}")
    w("")

    # Against PREVAIL.
    w("## Against PREVAIL's recorded verdicts\n")
    pv = [r for r in progs if r.prevail in ("accept", "reject")]
    m = collections.Counter((r.prevail, r.uebpf) for r in pv)
    w(f"Programs with a PREVAIL verdict in this corpus: {len(pv)} "
      f"(PREVAIL accepts {sum(r.prevail == 'accept' for r in pv)}, "
      f"rejects {sum(r.prevail == 'reject' for r in pv)}).\n")
    w("| PREVAIL \\ uebpf | accept | reject | lacks |")
    w("|---|---|---|---|")
    for p in ("accept", "reject"):
        w(f"| {p} | {m[(p, 'accept')]} | {m[(p, 'reject')]} | {m[(p, 'lacks')]} |")
    w("")
    w(f"uebpf accepts {sum(r.uebpf == 'accept' for r in pv)} of them, PREVAIL "
      f"{sum(r.prevail == 'accept' for r in pv)}. The kernel accepts "
      f"{sum(r.kernel == 'accept' for r in pv)} of them, rejects "
      f"{sum(r.kernel == 'reject' for r in pv)}; PREVAIL accepts "
      f"{sum(r.prevail == 'accept' and r.kernel == 'reject' for r in pv)} the kernel rejects, "
      f"uebpf {sum(r.uebpf == 'accept' and r.kernel == 'reject' for r in pv)}. Where uebpf "
      f"does not lack a feature ({sum(r.uebpf != 'lacks' for r in pv)} programs): uebpf "
      f"accepts {sum(r.uebpf == 'accept' for r in pv)}, PREVAIL "
      f"{sum(r.prevail == 'accept' and r.uebpf != 'lacks' for r in pv)}, the kernel "
      f"{sum(r.kernel == 'accept' and r.uebpf != 'lacks' for r in pv)}.\n")
    if prevail_missing:
        w(f"PREVAIL verdicts for sections not in this corpus (or not listed as programs "
          f"by uebpf): {len(prevail_missing)}: " +
          ", ".join(f"{k[0]}/{k[1]}:{k[2]}" + (f":{k[3]}" if k[3] else "")
                    for k in prevail_missing) + "\n")

    # Reasons.
    w("## Why uebpf does not accept a program, grouped\n")
    groups = collections.defaultdict(list)
    for r in progs:
        if r.uebpf == "accept":
            continue
        key = ("lacks " + r.lacks) if r.uebpf == "lacks" else shape(uebpf_reason(r))
        groups[key].append(r)
    for r in unopened:
        groups["not opened: " + shape(r.u_reason)].append(r)
    w("| count | reason | kernel accepts | PREVAIL accepts | programs |")
    w("|---|---|---|---|---|")
    for key, rs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        names = ", ".join(f"{r.project}/{r.obj}" + (f":{r.program}" if r.program != "-" else "")
                          for r in rs)
        w(f"| {len(rs)} | {key.replace('|', '/')} | {sum(r.kernel == 'accept' for r in rs)} | "
          f"{sum(r.prevail == 'accept' for r in rs)} | {names} |")
    w("")

    # Disagreements.
    w("## Disagreements\n")
    w("uebpf rejects, the kernel accepts:\n")
    for r in progs:
        if r.kernel == "accept" and r.uebpf != "accept":
            w(f"- {r.project}/{r.obj}:{r.program} ({r.type}): {uebpf_reason(r)}")
    w("\nuebpf rejects, PREVAIL accepts:\n")
    for r in progs:
        if r.prevail == "accept" and r.uebpf != "accept":
            w(f"- {r.project}/{r.obj}:{r.program} (kernel: {r.kernel}): {uebpf_reason(r)}")
    w("\nuebpf accepts, PREVAIL rejects:\n")
    for r in progs:
        if r.prevail == "reject" and r.uebpf == "accept":
            w(f"- {r.project}/{r.obj}:{r.program} ({r.prevail_macro}; kernel: {r.kernel})")
    w("")

    # Every program.
    w("## Every program\n")
    w("| project | object | program | section | type | uebpf | kernel | PREVAIL | insns k/u | reason |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.program == "-":
            w(f"| {r.project} | {r.obj} | - | | | not opened | | | | {r.u_reason.replace('|', '/')} |")
            continue
        reason = ""
        if r.uebpf != "accept":
            reason = uebpf_reason(r)
        elif r.kernel != "accept":
            reason = "kernel: " + r.k_reason
        ins = f"{r.k_insns if r.k_insns >= 0 else '-'}/{r.u_insns if r.u_insns >= 0 else '-'}"
        w(f"| {r.project} | {r.obj} | {r.program} | {r.section} | {r.type} | {r.uebpf} | "
          f"{r.kernel} | {r.prevail or '-'} | {ins} | {reason.replace('|', '/')[:300]} |")
    w("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
