#!/usr/bin/env python3
"""Turn the raw CSVs of a bench run into bench/results/: the CSVs, a
summary (results.json), the tables (results.md) and a chart (chart.png).

    report.py RAW_DIR RESULTS_DIR [--failed=SECTION...]
"""
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

raw, res = sys.argv[1], sys.argv[2]
failed = [a.split('=', 1)[1] for a in sys.argv[3:] if a.startswith('--failed=')]
os.makedirs(res, exist_ok=True)
md = []
summary = {}

DROP = {
    'xdp': 'xdp_drop --all-ip (XDP, native on veth)',
    'xdpfilter': 'xdp-filter load -p deny (xdp-tools, native)',
    'tc': 'tc classifier drop (tcx, BPF)',
    'netfilter': 'netfilter BPF drop (IPv4 PRE_ROUTING)',
    'iptables': 'iptables raw PREROUTING DROP',
    'nftables': 'nftables netdev ingress drop',
    'stack': 'no filter: the stack, UDP to a closed port',
}
ECHO = {
    'xdp': 'xdp_icmp_server (XDP_TX)',
    'kernel': "kernel's ICMP echo (rate limits lifted)",
    'tc': 'tc_icmp_server (tc ingress, clone redirect)',
}
FORWARD = {
    'xdp': 'xdp_redirect (XDP, DEVMAP)',
    'kernel': "kernel forwarding (IPv4, FIB)",
}


def rows(name):
    path = os.path.join(raw, name + '.csv')
    if not os.path.exists(path):
        return None
    shutil.copy(path, os.path.join(res, name + '.csv'))
    with open(path) as f:
        return list(csv.DictReader(f))


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, digits=2):
    return '-' if v is None else f'{v:.{digits}f}'


def block(key, lines):
    """Lines between markers that scripts/bench/readme.py copies into the
    top README (HTML comments: invisible once rendered)."""
    md.append(f'<!-- bench:{key} -->')
    md.extend(lines)
    md.append(f'<!-- /bench:{key} -->')
    md.append('')


def table(head, body, key=None):
    t = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    t += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in body]
    if key:
        block(key, t)
    else:
        md.extend(t)
        md.append('')


def machine():
    cpu = ''
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(l.split(':', 1)[1].strip() for l in f if l.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return {
        'cpus': os.cpu_count(), 'cpu': cpu, 'kernel': platform.release(),
        'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
        'loadavg': open('/proc/loadavg').read().split()[:3],
    }


m = machine()
summary['machine'] = m
md.append('# Benchmark results')
md.append('')
block('machine', [
    f"Machine: {m['cpus']} vCPU ({m['cpu']}), Linux {m['kernel']}, {m['date']}; "
    f"load average at the end {' '.join(m['loadavg'])}. Other work may have been "
    "running on the machine: absolute figures are this machine's, at that moment; "
    "the ratios, taken from alternating rounds of one run, are what to compare."])
if failed:
    md.append(f"**Sections that failed in this run: {', '.join(failed)}** (see the run's log).")
    md.append('')


def compare(name, labels, ref, unit, scale, title, what):
    r = rows(name)
    if not r:
        return None
    variants = list(dict.fromkeys(x['variant'] for x in r))
    if ref not in variants:
        ref = variants[0]
    out = []
    refm = med(num(x['rx_pps']) for x in r if x['variant'] == ref)
    for v in variants:
        vals = [num(x['rx_pps']) for x in r if x['variant'] == v]
        offered = med(num(x['offered_pps']) for x in r if x['variant'] == v)
        mv = med(vals)
        out.append({'variant': v, 'label': labels.get(v, v), 'median_pps': mv,
                    'min_pps': min(vals), 'max_pps': max(vals), 'rounds': len(vals),
                    'offered_median_pps': offered,
                    'ratio_to_' + ref: mv / refm if refm and mv is not None else None})
    md.append(f'## {title}')
    md.append('')
    md.append(what)
    md.append('')
    table(['', f'median {unit}', 'min – max', 'ratio to ' + labels.get(ref, ref).split(' ')[0],
           'offered (median)'],
          [[o['label'], fmt(o['median_pps'] / scale), f"{fmt(o['min_pps'] / scale)} – "
            f"{fmt(o['max_pps'] / scale)}", fmt(o['ratio_to_' + ref]),
            fmt(o['offered_median_pps'] / scale) if o['offered_median_pps'] else '-']
           for o in out], key=name)
    summary[name] = out
    return out


g = rows('gen')
if g:
    sent = sum(int(x['sent']) for x in g)
    recv = sum(int(x['received']) for x in g)
    mp = med(num(x['mpps']) for x in g)
    summary['gen'] = {'median_mpps': mp, 'sent': sent, 'received': recv, 'rounds': len(g)}
    md.append('## Generator (pktgen)')
    md.append('')
    block('gen', [f"{len(g)} rounds of {g[0]['sent']} 64-byte UDP frames into a veth whose "
                  "peer runs `xdp_drop --all-ip` (generator and receiver on one core): median "
                  f"**{fmt(mp)} Mpps** sent; the receiver counted {recv} of {sent} "
                  f"({100.0 * recv / sent:.3f} %)."])

drop = compare('drop', DROP, 'xdp', 'Mpps', 1e6, 'Dropping a UDP flood (two cores)',
               'pktgen (CPU 0) floods 64-byte UDP into the receiver\'s veth; the receiver\'s '
               'NAPI thread has the other core. Rate = packets the receiver counted itself '
               '(its map, rule counter, or Udp NoPorts) over a window; frames it could not '
               'take were lost, not counted.')
drop1 = compare('drop1', DROP, 'xdp', 'Mpps', 1e6, 'Dropping a UDP flood (one core)',
                'The same flood and the same rows, with generator and receiver on CPU 0: no '
                'threaded NAPI, so the receiver\'s softirq runs right after each of the '
                'generator\'s batches. Every row pays the same generator cost; the rows '
                'differ by what their hook costs, not by the veth\'s cross-CPU page return.')

dc = rows('dropcost')
if dc:
    out = []
    for v in dict.fromkeys(x['variant'] for x in dc):
        rs = [x for x in dc if x['variant'] == v]
        ns = [num(x['ns']) for x in rs]
        out.append({'variant': v, 'label': DROP.get(v, v), 'median_ns': med(ns),
                    'min_ns': min(ns), 'max_ns': max(ns), 'verdict': rs[0]['verdict'],
                    'xlated_insns': rs[0]['xlated_insns'], 'jited_bytes': rs[0]['jited_bytes']})
    md.append('### xdp_drop and xdp-filter per run (BPF_PROG_TEST_RUN)')
    md.append('')
    md.append('Each program as attached in the drop section, run by `bpftool prog run ... '
              'repeat 1000000` on the flood\'s own 60-byte UDP frame (verdict 1: XDP_DROP); '
              'xlated: instructions after the verifier\'s rewrites.')
    md.append('')
    table(['', 'median ns', 'min – max', 'verdict', 'xlated insns', 'JIT bytes'],
          [[o['label'], fmt(o['median_ns'], 1), f"{fmt(o['min_ns'], 0)} – {fmt(o['max_ns'], 0)}",
            o['verdict'], o['xlated_insns'], o['jited_bytes']] for o in out], key='dropcost')
    summary['dropcost'] = out
echo = compare('echo', ECHO, 'xdp', 'M replies/s', 1e6, 'Answering an ICMP echo flood',
               'pktgen floods 64-byte ICMP echo requests; rate = replies the receiver counted '
               '(xdp_icmp_server\'s reply counter, Icmp OutEchoReps of the namespace, or, '
               'for a tc responder, the echo replies that reached the generator\'s sink).')
if echo and os.path.exists(os.path.join(raw, 'echo-sysctl.txt')):
    shutil.copy(os.path.join(raw, 'echo-sysctl.txt'), res)
    before, after = [], []
    for l in open(os.path.join(raw, 'echo-sysctl.txt')):
        if l.startswith('# lifted'):
            before, after = after, before
        elif l.startswith('net.'):
            after.append(l.strip().replace('net.ipv4.', ''))
    md.append(f"ICMP limits of the receiver's namespace as created: {', '.join(before)}; "
              f"for the kernel side: {', '.join(after)} (ratemask 0: no ICMP type is "
              "rate limited; echo replies are not in the default mask anyway).")
    md.append('')

fwd = compare('forward', FORWARD, 'xdp', 'Mpps', 1e6, 'Forwarding a UDP flood (router lab)',
              'pktgen (CPU 0) on h1 floods 64-byte UDP to h2 through a router namespace whose '
              'receiving veth has threaded NAPI on the other core; rate = datagrams h2 counted '
              '(an xdp_drop --all-ip sink on its veth). The XDP row appears where '
              'xdp/xdp_redirect is built.')

LB_WHAT = ('The same client reaches the same single backend (nginx, one worker; '
           'httpd.py where nginx is missing) through 192.0.2.80 on the LB host: '
           'xdp_load_balancer (XDP full NAT), nftables DNAT (numgen map, conntrack NAT, SNAT '
           'to the LB), HAProxy (TCP mode, one thread, splice-auto), `sk_skb --no-splice` '
           '(user-space proxy) and `sk_skb` (the proxy spliced by a sockmap). requests/s: '
           'wrk, 1 thread, 8 connections, keep-alive, and with `Connection: close` (a new '
           'connection per request); Gbit/s: one iperf3 stream, as the backend\'s iperf3 '
           'server received it. IPVS is not in this kernel (CONFIG_IP_VS is not set).')


def metrics(name, title, what):
    """CSV with metric,variant,value[,unit]: medians, ratio to the first variant."""
    r = rows(name)
    if not r or not {'metric', 'variant', 'value'} <= set(r[0]):
        if r:
            md.append(f'## {title}')
            md.append('')
            table(list(r[0].keys()), [list(x.values()) for x in r])
            summary[name] = r
        return
    out = []
    for metric in dict.fromkeys(x['metric'] for x in r):
        vs = [x for x in r if x['metric'] == metric]
        unit = vs[0].get('unit', '')
        first = vs[0]['variant']
        ref = med(num(x['value']) for x in vs if x['variant'] == first)
        for v in dict.fromkeys(x['variant'] for x in vs):
            vals = [num(x['value']) for x in vs if x['variant'] == v]
            mv = med(vals)
            known = [x for x in vals if x is not None]
            out.append({'metric': metric, 'unit': unit, 'variant': v, 'median': mv,
                        'min': min(known) if known else None,
                        'max': max(known) if known else None,
                        'rounds': len(vals), 'ratio_to': first,
                        'ratio': mv / ref if ref and mv is not None else None})
    md.append(f'## {title}')
    md.append('')
    if what:
        md.append(what)
        md.append('')
    table(['metric', 'variant', 'median', 'min – max', 'rounds', 'ratio'],
          [[o['metric'] + (f" ({o['unit']})" if o['unit'] else ''), o['variant'],
            fmt(o['median']), f"{fmt(o['min'])} – {fmt(o['max'])}", o['rounds'],
            f"{fmt(o['ratio'])} × {o['ratio_to']}"] for o in out], key=name)
    summary[name] = out


metrics('lb', 'Load balancing', LB_WHAT)
metrics('sk_msg', 'Socket redirect: sk_msg (scripts/bench/sk_msg.sh)', '')
metrics('sk_skb', 'Socket redirect: sk_skb (scripts/bench/sk_skb.sh)', '')

cost = rows('cost')
if cost:
    keys = list(dict.fromkeys((x['object'], x['program'], x['packet']) for x in cost))
    out = []
    for k in keys:
        rs = [x for x in cost if (x['object'], x['program'], x['packet']) == k]
        ns, fl = med(num(x['ns']) for x in rs), med(num(x['floor_ns']) for x in rs)
        out.append({'object': k[0], 'program': k[1], 'type': rs[0]['type'], 'packet': k[2],
                    'verdict': rs[0]['verdict'], 'ns': ns, 'floor_ns': fl,
                    'above_floor_ns': ns - fl if ns is not None and fl is not None else None,
                    'verified_insns': rs[0]['verified_insns'],
                    'jited_bytes': rs[0]['jited_bytes'], 'method': rs[0]['method']})
    md.append('## Per-packet cost (BPF_PROG_TEST_RUN)')
    md.append('')
    md.append('Each program as built (default configuration), on the first test packet it '
              'acts on and the first it lets through; median of the rounds of ns per run, '
              '1,000,000 repetitions (the kernel reports whole ns). Floor: an empty program '
              'of the same type on the same packet. "single": the program rewrites its '
              'packet, so each run was a call of its own (clock reads included, in the floor '
              'too).')
    md.append('')
    table(['object', 'program', 'type', 'packet', 'verdict', 'ns', 'floor', 'above floor',
           'verified insns', 'JIT bytes'],
          [[o['object'].replace('.output/', '') if not o['object'].startswith('/')
            else 'xdp-tools: ' + os.path.basename(o['object']), o['program'], o['type'], o['packet'],
            o['verdict'] + (' (single)' if o['method'] == 'single' else ''),
            fmt(o['ns'], 1), fmt(o['floor_ns'], 1), fmt(o['above_floor_ns'], 1),
            o['verified_insns'], o['jited_bytes']] for o in out], key='cost')
    summary['cost'] = out

st = rows('startup')
if st:
    out = []
    for l in dict.fromkeys(x['loader'] for x in st):
        rs = [x for x in st if x['loader'] == l]
        ok = [num(x['ms']) for x in rs if x['status'] == 'ok']
        bad = [x['status'] for x in rs if x['status'] != 'ok']
        out.append({'loader': l, 'median_ms': med(ok), 'ok': len(ok), 'rounds': len(rs),
                    'failure': bad[0] if bad else ''})
    md.append('## Start-up')
    md.append('')
    md.append('Exec to the loader\'s first line (its banner, printed once attached), '
              'through `ip netns exec` and `stdbuf`: "baseline" is that path with a shell '
              'that prints at once.')
    md.append('')
    table(['loader', 'median ms', 'rounds ok', 'failure'],
          [[o['loader'], fmt(o['median_ms'], 1), f"{o['ok']}/{o['rounds']}",
            o['failure']] for o in out])
    summary['startup'] = out
    base = next((o['median_ms'] for o in out if o['loader'] == 'baseline'), None)
    ld = sorted((o for o in out if o['loader'] != 'baseline' and o['median_ms'] is not None),
                key=lambda o: -o['median_ms'])
    if ld:
        block('startup', [
            f"Exec to \"attached\" (the banner): median {ld[-1]['median_ms']:.0f}–"
            f"{ld[0]['median_ms']:.0f} ms over {len(ld)} loaders (slowest: "
            + ', '.join(f"{o['loader']} {o['median_ms']:.0f} ms" for o in ld[:3])
            + (f"), of which {base:.0f} ms is entering the namespace." if base else ").")])

b = rows('build')
if b:
    mb = med(num(x['seconds']) for x in b)
    summary['build'] = {'median_s': mb, 'rounds': len(b), 'examples': b[0]['examples']}
    md.append('## Build')
    md.append('')
    block('build', [f"`make -j2` from clean (copy of the tree: {b[0]['examples']} example "
                    f"loaders and the bench tools): median **{fmt(mb, 1)} s** over {len(b)} "
                    "rounds."])


def median_of(name, variant, metric=None):
    data = summary.get(name)
    if not data:
        return None
    for o in data:
        if o.get('variant') == variant and (metric is None or o.get('metric') == metric):
            return o.get('median_pps', o.get('median'))
    return None


def targets():
    """The project's goals, met or not, from this run's medians."""
    rps_ka, rps_nc = 'requests/s keep-alive (wrk)', 'requests/s new connection each (wrk)'
    goals = [
        ('xdp_drop / xdp-filter, two cores', ('drop', 'xdp'), ('drop', 'xdpfilter'), 1.0),
        ('xdp_drop / xdp-filter, one core', ('drop1', 'xdp'), ('drop1', 'xdpfilter'), 1.0),
        ('xdp_drop / iptables raw DROP, one core', ('drop1', 'xdp'), ('drop1', 'iptables'), 5.0),
        ('xdp_drop / iptables raw DROP, two cores', ('drop', 'xdp'), ('drop', 'iptables'), None),
        ('xdp_load_balancer / HAProxy, keep-alive requests/s', ('lb', 'xdp_lb', rps_ka),
         ('lb', 'haproxy', rps_ka), 1.5),
        ('xdp_load_balancer / HAProxy, new-connection requests/s', ('lb', 'xdp_lb', rps_nc),
         ('lb', 'haproxy', rps_nc), 1.5),
        ('xdp_load_balancer / nftables DNAT, keep-alive requests/s', ('lb', 'xdp_lb', rps_ka),
         ('lb', 'nft_dnat', rps_ka), 1.2),
        ('xdp_load_balancer / nftables DNAT, new-connection requests/s',
         ('lb', 'xdp_lb', rps_nc), ('lb', 'nft_dnat', rps_nc), 1.2),
        ('spliced sk_skb / HAProxy, nginx keep-alive requests/s',
         ('sk_skb', 'splice', 'nginx keep-alive'), ('sk_skb', 'haproxy', 'nginx keep-alive'), 1.0),
        ('sk_msg / plain loopback, redis GET requests/s', ('sk_msg', 'redirect', 'redis GET'),
         ('sk_msg', 'plain', 'redis GET'), None),
        ('sk_msg / plain loopback, redis SET requests/s', ('sk_msg', 'redirect', 'redis SET'),
         ('sk_msg', 'plain', 'redis SET'), None),
    ]
    out = []
    for what, a, b, goal in goals:
        x, y = median_of(*a), median_of(*b)
        if x is None or y is None or not y:
            continue
        r = x / y
        out.append({'ratio': what, 'value': r, 'goal': goal,
                    'met': None if goal is None else r >= goal})
    if not out:
        return
    global md
    body, md = md, []
    md.append('## Ratios against the goals')
    md.append('')
    md.append('Ratios of medians from the tables below (same run, alternating rounds).')
    md.append('')
    table(['ratio', 'this run', 'goal', 'met'],
          [[o['ratio'], f"{o['value']:.2f}", '-' if o['goal'] is None else f"≥ {o['goal']}",
            '-' if o['met'] is None else ('yes' if o['met'] else '**no**')] for o in out],
          key='targets')
    summary['targets'] = out
    at = body.index('<!-- /bench:machine -->') + 2
    md = body[:at] + md + body[at:]


targets()


def chart():
    bars = []
    for name, data, scale in (('Drop, two cores (Mpps)', drop, 1e6),
                              ('Drop, one core (Mpps)', drop1, 1e6),
                              ('Echo (M replies/s)', echo, 1e6),
                              ('Forward (Mpps)', fwd, 1e6)):
        if data:
            bars.append((name, [(o['variant'], o['median_pps'] / scale) for o in data]))
    for name, metric, scale in (('LB keep-alive (k requests/s)', 'requests/s keep-alive (wrk)', 1e3),
                                ('LB new connection (k requests/s)',
                                 'requests/s new connection each (wrk)', 1e3)):
        data = [o for o in summary.get('lb', []) if o.get('metric') == metric]
        if data:
            bars.append((name, [(o['variant'], (o['median'] or 0) / scale) for o in data]))
    data = [o for o in summary.get('sk_skb', []) if o.get('metric') == 'nginx keep-alive']
    if data:
        bars.append(('nginx via proxy (k requests/s)',
                     [(o['variant'], (o['median'] or 0) / 1e3) for o in data]))
    if cost:
        bars.append(('ns per packet above the empty program',
                     [(f"{o['program']}:{o['packet']}", max(o['above_floor_ns'] or 0, 0))
                      for o in summary['cost']]))
    if not bars or not shutil.which('gnuplot'):
        return False
    cols = min(len(bars), 4)
    lines = (len(bars) + cols - 1) // cols
    gp = [f"set terminal pngcairo size {460 * cols},{440 * lines} font ',9'",
          f"set output '{os.path.join(res, 'chart.png')}'",
          f"set multiplot layout {lines},{cols} title 'eBPF catalog benchmarks, "
          f"{m['cpus']} vCPU, Linux {m['kernel']}, {m['date']}'",
          'set style fill solid 0.8', 'set boxwidth 0.7', 'set grid ytics',
          'set xtics rotate by 40 right noenhanced', 'set yrange [0:*]', 'unset key',
          'set bmargin 10', 'set lmargin 12']
    for title, data in bars:
        gp.append(f"set title '{title}'")
        gp.append("plot '-' using 0:2:xtic(1) with boxes lc rgb '#3b7dd8'")
        gp += [f'"{k}" {v:.4f}' for k, v in data]
        gp.append('e')
    gp.append('unset multiplot')
    subprocess.run(['gnuplot'], input='\n'.join(gp), text=True, check=True)
    return True


if chart():
    md.insert(md.index('<!-- /bench:machine -->') + 2, '![chart](chart.png)\n')
with open(os.path.join(res, 'results.md'), 'w') as f:
    f.write('\n'.join(md) + '\n')
with open(os.path.join(res, 'results.json'), 'w') as f:
    json.dump(summary, f, indent=1)
print(f'bench: report in {res}/results.md', file=sys.stderr)
