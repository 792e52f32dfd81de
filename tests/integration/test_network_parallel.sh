#!/usr/bin/env bash
# 50 containers started in parallel on one user network (and 10 on the default bridge) get
# distinct addresses, all reachable; afterwards no lease, veth or map element is left.
. "$(dirname "$0")/lib.sh"
setup_image
NET=mdpar$$
N=${N:-50}
names=()
at_exit 'for n in "${names[@]}"; do md rm -f "$n"; done; md network rm $NET'
check "network create" md network create "$NET"
start=$(date +%s%N)
pids=()
for i in $(seq 1 "$N"); do
    names+=("par$i-$UNIQ")
    md run -d --name "par$i-$UNIQ" --network "$NET" "${IMG[@]}" sleep 120 >/dev/null 2>&1 & pids+=($!)
done
for i in $(seq 1 10); do
    names+=("dpar$i-$UNIQ")
    md run -d --name "dpar$i-$UNIQ" "${IMG[@]}" sleep 120 >/dev/null 2>&1 & pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
echo "# $((N + 10)) parallel runs in $(( ($(date +%s%N) - start) / 1000000 )) ms"
check_eq "every parallel run succeeded" "$fails" 0
ips=$(for i in $(seq 1 "$N"); do md inspect -f "{{.NetworkSettings.Networks.$NET.IPAddress}}" "par$i-$UNIQ"; done | grep -E '^[0-9.]+$')
check_eq "$N addresses on the user network" "$(grep -c . <<<"$ips")" "$N"
check_eq "all distinct" "$(sort -u <<<"$ips" | wc -l)" "$N"
dips=$(for i in $(seq 1 10); do md inspect -f '{{.NetworkSettings.IPAddress}}' "dpar$i-$UNIQ"; done | grep -E '^[0-9.]+$')
check_eq "10 distinct addresses on the default bridge" "$(sort -u <<<"$dips" | wc -l)" 10
check_eq "the lease file has $N leases" "$(grep -c '"Container"' /var/lib/mydocker/networks/$NET/ipam.json)" "$N"
# everyone answers, and names resolve from a newcomer
last=$(tail -n 1 <<<"$ips")
check_match "a newcomer reaches the first member by name" \
    "$(md run --rm --network "$NET" "${IMG[@]}" sh -c "ping -c1 -W2 par1-$UNIQ >/dev/null && echo ok")" "ok"
unreach=0
for ip in $ips; do busybox ping -c1 -W1 "$ip" >/dev/null 2>&1 || unreach=$((unreach + 1)); done
check_eq "every container answers ping from the host" "$unreach" 0
veths=$(for n in "${names[@]}"; do md inspect -f '{{json .NetworkSettings.Networks}}' "$n" | grep -o '"HostVeth":"[^"]*"' | cut -d'"' -f4; done)
pids=()
for n in "${names[@]}"; do md rm -f "$n" >/dev/null 2>&1 & pids+=($!); done
wait "${pids[@]}"
names=()
check_eq "no lease left" "$(grep -c '"Container"' /var/lib/mydocker/networks/$NET/ipam.json)" "0"
left=0
for v in $veths; do wait_for 10 sh -c "! ip link show $v" || left=$((left + 1)); done
check_eq "no veth left ($(wc -w <<<"$veths") made)" "$left" 0
check "network rm" md network rm "$NET"
summary
