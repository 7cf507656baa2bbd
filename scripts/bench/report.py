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
    'tc': 'tc classifier drop (tcx, BPF)',
    'netfilter': 'netfilter BPF drop (IPv4 PRE_ROUTING)',
    'iptables': 'iptables raw PREROUTING DROP',
    'nftables': 'nftables netdev ingress drop',
    'stack': 'no filter: the stack, UDP to a closed port',
}
ECHO = {
    'xdp': 'xdp_icmp_server (XDP_TX)',
    'kernel': "kernel's ICMP echo (rate limits lifted)",
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


def table(head, body):
    md.append('| ' + ' | '.join(head) + ' |')
    md.append('|' + '---|' * len(head))
    for r in body:
        md.append('| ' + ' | '.join(str(c) for c in r) + ' |')
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
md.append(f"Machine: {m['cpus']} vCPU ({m['cpu']}), Linux {m['kernel']}, {m['date']}; "
          f"load average at the end {' '.join(m['loadavg'])}. Other work may have been "
          "running on the machine: absolute figures are this machine's, at that moment; "
          "the ratios, taken from alternating rounds of one run, are what to compare.")
md.append('')
if failed:
    md.append(f"**Sections that failed in this run: {', '.join(failed)}** (see the run's log).")
    md.append('')


def compare(name, labels, ref, unit, scale, title, what):
    r = rows(name)
    if not r:
        return None
    variants = list(dict.fromkeys(x['variant'] for x in r))
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
           for o in out])
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
    md.append(f"{len(g)} rounds of {g[0]['sent']} 64-byte UDP frames into a veth whose peer "
              "runs `xdp_drop --all-ip` (generator and receiver on one core): median "
              f"**{fmt(mp)} Mpps** sent; the receiver counted {recv} of {sent} "
              f"({100.0 * recv / sent:.3f} %).")
    md.append('')

drop = compare('drop', DROP, 'xdp', 'Mpps', 1e6, 'Dropping a UDP flood',
               'pktgen (CPU 0) floods 64-byte UDP into the receiver\'s veth; the receiver\'s '
               'NAPI thread has the other core. Rate = packets the receiver counted itself '
               '(its map, rule counter, or Udp NoPorts) over a window; frames it could not '
               'take were lost, not counted.')
echo = compare('echo', ECHO, 'xdp', 'M replies/s', 1e6, 'Answering an ICMP echo flood',
               'pktgen floods 64-byte ICMP echo requests; rate = replies the receiver counted '
               '(xdp_icmp_server\'s reply counter, or Icmp OutEchoReps of the namespace).')
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

LB_WHAT = ('The same client reaches the same single backend through 192.0.2.80 on the LB '
           'host: xdp_load_balancer (XDP full NAT), `sk_skb --no-splice` (user-space proxy) '
           'and `sk_skb` (the proxy spliced by a sockmap). requests/s: wrk, 1 thread, 8 '
           'keep-alive connections to a one-line HTTP responder (httpd.py); Gbit/s: one '
           'iperf3 stream, as the backend\'s iperf3 server received it.')


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
            out.append({'metric': metric, 'unit': unit, 'variant': v, 'median': mv,
                        'rounds': len(vals), 'ratio_to': first,
                        'ratio': mv / ref if ref and mv is not None else None})
    md.append(f'## {title}')
    md.append('')
    if what:
        md.append(what)
        md.append('')
    table(['metric', 'variant', 'median', 'rounds', 'ratio'],
          [[o['metric'] + (f" ({o['unit']})" if o['unit'] else ''), o['variant'],
            fmt(o['median']), o['rounds'], f"{fmt(o['ratio'])} × {o['ratio_to']}"]
           for o in out])
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
          [[o['object'].replace('.output/', ''), o['program'], o['type'], o['packet'],
            o['verdict'] + (' (single)' if o['method'] == 'single' else ''),
            fmt(o['ns'], 1), fmt(o['floor_ns'], 1), fmt(o['above_floor_ns'], 1),
            o['verified_insns'], o['jited_bytes']] for o in out])
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

b = rows('build')
if b:
    mb = med(num(x['seconds']) for x in b)
    summary['build'] = {'median_s': mb, 'rounds': len(b), 'binaries': b[0]['examples']}
    md.append('## Build')
    md.append('')
    md.append(f"`make -j2` from clean (copy of the tree, {b[0]['examples']} binaries "
              f"including the bench tools): median **{fmt(mb, 1)} s** over {len(b)} rounds.")
    md.append('')


def chart():
    bars = []
    for name, data, scale in (('Drop (Mpps)', drop, 1e6), ('Echo (M replies/s)', echo, 1e6)):
        if data:
            bars.append((name, [(o['variant'], o['median_pps'] / scale) for o in data]))
    if cost:
        bars.append(('ns per packet above the empty program',
                     [(f"{o['program']}:{o['packet']}", max(o['above_floor_ns'] or 0, 0))
                      for o in summary['cost']]))
    if not bars or not shutil.which('gnuplot'):
        return False
    gp = [f"set terminal pngcairo size {520 * len(bars)},480 font ',9'",
          f"set output '{os.path.join(res, 'chart.png')}'",
          f"set multiplot layout 1,{len(bars)} title 'eBPF catalog benchmarks, "
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
    md.insert(4, '![chart](chart.png)\n')
with open(os.path.join(res, 'results.md'), 'w') as f:
    f.write('\n'.join(md) + '\n')
with open(os.path.join(res, 'results.json'), 'w') as f:
    json.dump(summary, f, indent=1)
print(f'bench: report in {res}/results.md', file=sys.stderr)
