#!/usr/bin/env python3
"""Run the recipes of the READMEs and check the output they show.

    scripts/doctest.py [README.md ...]     default: every README in the tree

A recipe is a ```sh block right after the marker

    <!-- doctest -->                  (options: timeout=SECONDS)

and the output it must print is the next fenced block after

    <!-- doctest-output -->           (options: numbers-vary)

Every non-blank line of the output block must appear in what the recipe
printed (stdout and stderr together), in the same order; other lines may
come between them. With numbers-vary, every number in the expected lines
matches any number. In any expected line, `...` stands for any text
(a task name, a hash, a path that depends on the machine). The blocks of one README run in order in one bash
process, from the top of the repository, so a PID saved in one block is
there in the next; `set -e` holds, so a failing command fails its block.
They run in a new network namespace that holds only lo (the labs they
build with scripts/lab.sh are namespaces of their own, as usual).
`sudo` execs the command as it is (the runner is root). After the last
block, whatever the README started and left running is killed and the
labs it built are removed.

Prints "PASS doctest: FILE:LINE" or "FAIL doctest: FILE:LINE (why)" per
recipe and exits 1 when one failed; "SKIP doctest: FILE:LINE (why)" for
the recipes of an example that `make check-env` finds "missing" on this
kernel (netfilter before 6.4), with its words.
"""
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB_STATE = "/run/ebpf-catalog-lab"
MARK = "@@doctest@@"
FENCE = re.compile(r"^(```+|~~~+)\s*(\S*)")
OPT = re.compile(r"<!--\s*(doctest(?:-output)?)\b(.*?)-->")


def parse_options(text):
    opts = {}
    for word in text.split():
        key, _, val = word.partition("=")
        opts[key] = val or True
    return opts


def fenced_block(lines, i):
    """The fenced block starting at or after line i: (lang, body, next)."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        return None
    m = FENCE.match(lines[i].strip())
    if not m:
        return None
    fence, lang = m.group(1), m.group(2)
    body = []
    j = i + 1
    while j < len(lines) and not lines[j].strip().startswith(fence):
        body.append(lines[j])
        j += 1
    return lang, body, j + 1


def recipes(path):
    """[(line, commands, expected_lines, opts)] of one README."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found, errors = [], []
    i = 0
    while i < len(lines):
        m = OPT.match(lines[i].strip())
        if m and m.group(1) == "doctest-output":
            # Expected output counts only right after its recipe: one
            # that prose separates from it would never be checked.
            errors.append((i + 1, "doctest-output not right after a doctest recipe"))
        if not m or m.group(1) != "doctest":
            i += 1
            continue
        opts = parse_options(m.group(2))
        start = i + 1
        blk = fenced_block(lines, i + 1)
        if blk is None or blk[0] not in ("sh", "bash", "console", "shell"):
            errors.append((start, "marker not followed by a ```sh block"))
            i += 1
            continue
        _, cmds, i = blk
        expected, eopts = [], {}
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines):
            m2 = OPT.match(lines[j].strip())
            if m2 and m2.group(1) == "doctest-output":
                eopts = parse_options(m2.group(2))
                out = fenced_block(lines, j + 1)
                if out is None:
                    errors.append((j + 1, "doctest-output not followed by a fenced block"))
                else:
                    expected = [l for l in out[1] if l.strip()]
                    i = out[2]
        opts.update(eopts)
        found.append((start, cmds, expected, opts))
    return found, errors


def line_regex(line, numbers_vary):
    """Words in order, any white space between them. With numbers_vary a
    number matches any number, except digits glued to a name (eth0, ipv4)."""
    def word(w):
        if numbers_vary:
            parts = re.split(r"((?<![A-Za-z_])\d+(?:[.,]\d+)*)", w)
            return "".join(r"-?\d+(?:[.,]\d+)*" if k % 2 else re.escape(p)
                           for k, p in enumerate(parts))
        return re.escape(w)

    words = [".*?".join(word(p) for p in w.split("...")) for w in line.split()]
    return re.compile(r"\s+".join(words))


def missing_line(expected, output, numbers_vary):
    """The first expected line not found, in order, in output; or None."""
    got = output.split("\n")
    pos = 0
    for line in expected:
        rx = line_regex(line, numbers_vary)
        while pos < len(got) and not rx.search(got[pos]):
            pos += 1
        if pos == len(got):
            return line
        pos += 1
    return None


def labs():
    return set(glob.glob(os.path.join(LAB_STATE, "*"))) if os.path.isdir(LAB_STATE) else set()


def marked_pids(marker):
    pids = []
    for p in glob.glob("/proc/[0-9]*"):
        try:
            env = open(p + "/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if ("DOCTEST_RUN=" + marker).encode() in env:
            pids.append(int(p[6:]))
    return [p for p in pids if p != os.getpid()]


def cleanup(marker, labs_before, names):
    # SIGTERM first, then SIGKILL, until nothing of the run is left (a
    # job forked at the end may show up a moment late).
    for i in range(40):
        pids = marked_pids(marker)
        if not pids:
            break
        for p in pids:
            try:
                os.kill(p, signal.SIGTERM if i == 0 else signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.25)
    # Only the labs the recipes name: other runs may build labs meanwhile.
    for name in sorted(names):
        if os.path.join(LAB_STATE, name) in labs() - labs_before:
            subprocess.run([os.path.join(ROOT, "scripts/lab.sh"), "down", name],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_readiness = None


def missing_feature(rel):
    """What `make check-env` says this kernel lacks for the README's
    example ("netfilter: missing: ..."), or None when it is ready."""
    global _readiness
    top = rel.split(os.sep)[0]
    # The top README, or one outside the tree (the runner's own test):
    # no example of its own, and no need for check-env's 20 s of probes.
    if top == rel or top == os.pardir:
        return None
    if _readiness is None:
        out = subprocess.run([os.path.join(ROOT, "scripts/check-env.sh")], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        _readiness = dict(re.findall(r"^  (\S+)\s+(missing: .*)$",
                                     out.decode(errors="replace"), re.M))
    why = _readiness.get(top)
    return f"{top}: {why}" if why else None


def run_readme(path):
    rel = os.path.relpath(path, ROOT)
    found, errors = recipes(path)
    results = [(f"{rel}:{ln}", False, why) for ln, why in errors]
    if not found:
        return results
    # The example cannot run on this kernel (it exits 77 saying so): its
    # recipes are skipped with check-env's words, not run into a timeout.
    why = missing_feature(rel)
    if why:
        return results + [(f"{rel}:{ln}", None, why) for ln, _, _, _ in found]
    # A network namespace of its own with only lo in it: a recipe that
    # uses lo (or forgets to enter its lab) touches nothing of the host.
    script = ["set -e", "ip link set lo up", "cd " + shlex.quote(ROOT)]
    for k, (ln, cmds, _, _) in enumerate(found):
        script.append(f"echo '{MARK} begin {k}'")
        script.extend(cmds)
        script.append(f"echo '{MARK} end {k}'")
    timeout = sum(int(o.get("timeout", 60)) for _, _, _, o in found)
    marker = f"{os.getpid()}-{time.time_ns()}"
    # The runner is root: sudo only runs its command, in its own place
    # (exec), so that `sudo CMD & PID=$!` names CMD as with the real one.
    shim = tempfile.mkdtemp(prefix="doctest-")
    with open(os.path.join(shim, "sudo"), "w") as f:
        f.write('#!/bin/sh\nexec "$@"\n')
    os.chmod(os.path.join(shim, "sudo"), 0o755)
    env = dict(os.environ, DOCTEST_RUN=marker, PAGER="cat", TERM="dumb",
               PATH=shim + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    before = labs()
    lab_names = set(re.findall(r"lab\.sh\s+up\s+([A-Za-z0-9_.-]+)",
                               "\n".join(l for _, c, _, _ in found for l in c)))
    # A session of its own: on a timeout the whole group is killed. Killing
    # bash alone would leave what the recipe started in the background
    # holding the output pipe, and the wait for its end would never end.
    proc = subprocess.Popen(["unshare", "--net", "bash", "-c", "\n".join(script)],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out, rc, timed_out = b"", -1, False
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
    finally:
        cleanup(marker, before, lab_names)
        shutil.rmtree(shim, ignore_errors=True)
    out = out.decode(errors="replace")
    chunks = {}
    cur = None
    ended = set()
    for line in out.split("\n"):
        m = re.match(rf"^{MARK} (begin|end) (\d+)$", line)
        if m:
            cur = int(m.group(2)) if m.group(1) == "begin" else None
            if m.group(1) == "end":
                ended.add(int(m.group(2)))
            continue
        if cur is not None:
            chunks.setdefault(cur, []).append(line)
    for k, (ln, _, expected, opts) in enumerate(found):
        name = f"{rel}:{ln}"
        text = "\n".join(chunks.get(k, []))
        if k not in ended:
            if k not in chunks:
                results.append((name, False, "not reached: an earlier recipe failed"))
            elif timed_out:
                results.append((name, False, f"timed out after {timeout}s"))
            else:
                results.append((name, False, f"a command failed (exit {rc}); it printed: "
                                + " | ".join(text.strip().split("\n")[-4:])))
            continue
        miss = missing_line(expected, text, bool(opts.get("numbers-vary")))
        if miss is not None:
            results.append((name, False, f"expected line not printed: {miss.strip()!r}; got: "
                            + " | ".join(text.strip().split("\n")[-6:])))
        else:
            results.append((name, True, ""))
    return results


def main(argv):
    paths = argv or sorted(glob.glob(os.path.join(ROOT, "README.md"))
                           + glob.glob(os.path.join(ROOT, "*/README.md")))
    failed = 0
    for p in paths:
        for name, ok, why in run_readme(os.path.abspath(p)):
            if ok:
                print(f"PASS doctest: {name}", flush=True)
            elif ok is None:
                print(f"SKIP doctest: {name} ({why})", flush=True)
            else:
                failed += 1
                print(f"FAIL doctest: {name} ({why})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
