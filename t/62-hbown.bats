#!/usr/bin/env bats
# hbown: hbnode's ownership rules, one case a line, without root.  Each
# row of hbnode(8)'s PROTOCOL table has a case here; the last test
# checks that none is missing.

load helpers/common

# The cases: ROW | OPTIONS | EVENTS | ACTIONS
#
# EVENTS are hbown's input lines, separated by " ; ", each starting
# with @MS (the time); ACTIONS are what the LAST event gives, " ; "
# between them, "-" for none; status lines and debug logs are left out
# (the status test checks them).  OPTIONS "." means the defaults below
# (node a, peer b, home a, deadtime 1s: hold-down 2 s; lease 2s: renewed
# every 500 ms, a dead peer's address probed for 3500 ms; settle 500ms).
# Macros: {up} the peer is heard, active, holding nothing; {held} node
# a holds the group (claimed at 0, started at 600, up at 700).
cases() {
	cat <<'X'
P1 | -H b | @0 up b st=active gen=1 rsc=held ask=0 | transition node b: is up (st=active gen=1 rsc=held ask=0)
P1 | -H b | {up} ; @100 restart b st=active gen=2 | transition node b: restarted (st=active gen=2)
P2 | -H b | {up} ; @100 status b st=active rsc=held ask=0 | -
P2 | -H b | {up} ; @100 status b st=standby rsc=rel ask=0 why=stop | transition node b: is shutting down
P3 | -H b | {up} ; @100 warn b silent=600 | log warn late heartbeat from node b: silent for 600 ms ; watch 1
P3 | -H b | {up} ; @100 warn c silent=1200 | log warn late heartbeat from node c: silent for 1.2 s
P3 | -H b | {up} ; @100 status b st=standby rsc=none ask=0 why=stop ; @700 warn b silent=600 | log info node b: silent since its shutdown (silent for 600 ms)
P7 | -H b | {up} ; @100 warn b silent=600 ; @200 late b silent=700 | log info node b: heard again (silent for 700 ms) ; unwatch 1
P7 | -H b | {up} ; @100 late c silent=700 | -
W1 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 warn b silent=600 | log warn late heartbeat from node b: silent for 600 ms ; watch 1
W1 | . | {held} ; @800 warn b silent=600 | log warn late heartbeat from node b: silent for 600 ms
W2 | -H b | {up} ; @100 warn b silent=600 ; @200 status b st=active rsc=held ask=0 | unwatch 1
W2 | -H b | {up} ; @100 warn b silent=600 ; @200 cmd stop | unwatch 1 ; announce standby rsc=none ask=0 why=stop ; transition a stopped (stop asked) ; exit 0
W3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 warn b silent=600 ; @500 probed 1 free ; @700 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; unwatch 1 ; start 1 none 700 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
W3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 warn b silent=600 ; @400 probed 1 free ; @700 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; unwatch 1 ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
W3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 warn b silent=600 ; @500 probed 1 busy 192.0.2.10 02:00:00:00:00:0b | log info b is late and an address is still answered (192.0.2.10 02:00:00:00:00:0b): a takeover would probe
W3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 warn b silent=600 ; @500 probed 1 busy 192.0.2.10 02:00:00:00:00:0b ; @700 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; unwatch 1 ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
W3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 warn b silent=600 ; @500 probed 1 error garp failed ; @700 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; unwatch 1 ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
W3 | -H b | {up} ; @100 probed 1 free ; @200 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
P4 | -H b | @0 up b st=active gen=1 rsc=held ask=0 ; @100 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
P4 | -H b | {up} ; @100 status b st=standby rsc=none ask=0 why=stop ; @1100 dead b silent=1000 | transition node b: is down (it shut down; silent for 1.0 s)
P5 | . | @0 up c st=active gen=1 | -
P5 | . | @0 dead c silent=1000 | -
P6 | . | @0 link b udp:694@eth1 dead | log info link b udp:694@eth1 dead
N1 | . | @0 tick | tick
N1 | . | {up} ; @600 tick ; @700 done 1 start fail IPaddr (no carrier on lan0) ; @800 status b st=active rsc=none ask=0 | -
N1 | . | @0 carrier 1 lan0 ; @100 dead b silent=1000 ; @200 carrier 1 up ; @1100 tick | tick
N1 | . | @0 carrier 1 lan0 ; @100 dead b silent=1000 ; @200 carrier 1 up ; @1200 tick | tick ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
N2 | . | @0 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
N3 | -H b | @0 up b st=standby gen=1 | transition node b: is up (st=standby gen=1) ; start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is in standby)
N3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @300 status b st=standby rsc=none ask=0 why=standby | start 1 none 300 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (standby was asked on b)
N3 | -H b -U | {up} ; @100 status b st=active rsc=held ask=0 ; @200 status b st=standby rsc=rel ask=0 why=standby ; @300 status b st=standby rsc=none ask=0 why=standby | start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (standby was asked on b)
N3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @300 status b st=standby rsc=none ask=0 why=standby dirty=1 | start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (standby was asked on b)
N3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 status b st=standby rsc=rel ask=0 why=standby ; @300 status b st=standby rsc=none ask=0 why=standby | start 1 none 300 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (standby was asked on b)
N3 | -H b | {up} ; @100 status b st=active rsc=held ask=0 ; @200 status b st=standby rsc=rel ask=0 why=standby ; @300 status b st=standby rsc=none ask=0 why=standby dirty=1 | start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (standby was asked on b)
N4 | . | @0 up b st=active gen=1 | transition node b: is up (st=active gen=1) ; announce active rsc=acq ask=0
N4 | -H b | @0 up b st=active gen=1 | transition node b: is up (st=active gen=1)
N4 | -H b | {up} ; @100 cmd takeover | transition takeover asked ; announce active rsc=none ask=1 ; announce active rsc=acq ask=1
C1 | . | {up} ; @100 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; start 1 3500 ; transition a taking over the resource group (b is dead)
C2 | . | {up} ; @100 status b st=active rsc=held ask=0 | announce active rsc=none ask=0
C2 | . | {up} ; @100 status b st=active rsc=rel ask=0 | announce active rsc=none ask=0
C3 | -H b | {up} ; @100 cmd takeover ; @200 status b st=active rsc=acq ask=0 | log info both nodes claimed the group; b (first in haresources) wins ; announce active rsc=none ask=1
C3 | . | {up} ; @200 status b st=active rsc=acq ask=0 | -
C4 | . | {up} ; @400 tick | tick
C4 | . | {up} ; @600 tick | tick ; start 1 0 ; transition a taking over the resource group (nobody holds it; a is designated)
C4 | . | {up} ; @100 status b st=standby rsc=none ask=0 | start 1 0 ; transition a taking over the resource group (b is in standby)
C4 | . | {up} ; @100 status b st=standby rsc=none ask=0 why=stop | transition node b: is shutting down ; start 1 0 ; transition a taking over the resource group (b is stopping)
C5 | . | {up} ; @100 carrier 1 lan0 | announce active rsc=none ask=0
A1 | . | {held} | announce active rsc=held ask=0 ; transition a holds the resource group (acquired in 100 ms)
A2 | . | {up} ; @600 tick ; @700 done 1 start fail IPaddr (no carrier on lan0) | transition a could not start IPaddr (no carrier on lan0); releasing and handing the group over ; announce standby rsc=none ask=0 why=start
A3 | . | {up} ; @600 tick ; @700 done 1 start lost | announce standby rsc=rel ask=0 why=start ; stop 1 ; transition a releasing the resource group (a lost its address while its resources started)
H1 | -H b | @0 dead b silent=1000 ; @100 done 1 start ok ; @200 up b st=active gen=2 rsc=held ask=0 | transition node b: is up (st=active gen=2 rsc=held ask=0) ; announce active rsc=rel ask=0 why=split ; stop 1 ; transition a releasing the resource group (split brain: b holds it too; b keeps it)
H1 | . | @0 dead b silent=1000 ; @100 done 1 start ok ; @200 up b st=active gen=2 rsc=held ask=0 | transition node b: is up (st=active gen=2 rsc=held ask=0)
H2 | . | {held} ; @800 status b st=active rsc=none ask=1 | persist 1 standby ; announce standby rsc=rel ask=0 why=takeover ; stop 1 ; transition a releasing the resource group (b asked for it (takeover))
H3 | . | {held} ; @800 cmd standby | transition standby asked: giving the group to b ; persist 1 standby ; announce standby rsc=held ask=0 why=standby ; announce standby rsc=rel ask=0 why=standby ; stop 1 ; transition a releasing the resource group (standby)
H4 | -H b -a on | @0 dead b silent=1000 ; @100 done 1 start ok ; @500 up b st=active gen=2 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2500 tick | tick ; announce standby rsc=rel ask=0 why=failback ; stop 1 ; transition a releasing the resource group (auto_failback: b is back)
H4 | -H b -a on | @0 dead b silent=1000 ; @100 done 1 start ok ; @500 up b st=active gen=2 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2400 tick | tick ; renew 1
H4 | -H b -a on | @0 dead b silent=1000 ; @100 done 1 start ok ; @500 up b st=active gen=2 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 warn b silent=600 ; @1810 tick ; @1820 done 1 renew ok ; @2500 tick | tick ; renew 1
H4 | -H b -a off | @0 dead b silent=1000 ; @100 done 1 start ok ; @500 up b st=active gen=2 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2500 tick | tick ; renew 1
H4 | -H b -a on | @0 up b st=standby gen=1 why=carrier ; @100 done 1 start ok ; @200 status b st=active rsc=none ask=0 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2100 tick | tick
H4 | -H b -a on | @0 up b st=standby gen=1 why=carrier ; @100 done 1 start ok ; @200 status b st=active rsc=none ask=0 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2200 tick | tick ; announce standby rsc=rel ask=0 why=failback ; stop 1 ; transition a releasing the resource group (auto_failback: b is back)
H4 | -H b -a on | @0 dead b silent=1000 ; @100 done 1 start ok ; @500 up b st=standby gen=2 why=standby ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2500 tick | tick ; renew 1
H5 | . | {held} ; @1200 tick | tick ; renew 1
H5 | . | {held} ; @1200 tick ; @1210 done 1 renew ok ; @1600 tick | tick
H5 | . | {held} ; @1200 tick ; @1300 tick | tick
H6 | . | {held} ; @2700 tick | tick ; transition a renewed nothing for 2000 ms, longer than its lease: its address is gone ; announce standby rsc=rel ask=0 why=lease ; stop 1 ; transition a releasing the resource group (the lease ran out unrenewed (a or hbnode stopped))
H6 | . | {held} ; @1200 tick ; @2700 tick | tick ; transition a renewed nothing for 2000 ms, longer than its lease: its address is gone ; announce standby rsc=rel ask=0 why=lease ; stop 1 ; transition a releasing the resource group (the lease ran out unrenewed (a or hbnode stopped))
H6 | . | {held} ; @1200 tick ; @2800 done 1 renew expired | transition a renewed nothing for 2100 ms, longer than its lease: its address is gone ; announce standby rsc=rel ask=0 why=lease ; stop 1 ; transition a releasing the resource group (the lease ran out unrenewed (a or hbnode stopped))
H7 | . | {held} ; @1200 tick ; @1210 done 1 renew lost 192.0.2.10/24 (no such device) | transition a lost 192.0.2.10/24 (no such device) ; announce standby rsc=rel ask=0 why=address ; stop 1 ; transition a releasing the resource group (address lost)
H8 | . | {held} ; @1200 tick ; @1210 done 1 renew carrier 192.0.2.10/24 | transition a lost its LAN link (no carrier for 192.0.2.10/24) ; announce standby rsc=rel ask=0 why=carrier ; stop 1 ; transition a releasing the resource group (no carrier)
H9 | . | {held} ; @800 carrier 1 lan0 | renew 1
H10 | . | @0 dead b silent=1000 ; @100 done 1 start ok ; @200 up b st=active gen=2 rsc=held ask=0 ; @300 status b st=active rsc=rel ask=0 why=split ; @400 status b st=active rsc=none ask=0 | log info b let the group go: announcing its addresses again ; garp 1
H10 | . | @0 dead b silent=1000 ; @100 done 1 start ok ; @200 up b st=active gen=2 rsc=held ask=0 ; @300 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; log info b let the group go: announcing its addresses again ; garp 1
H11 | -G 1s | {held} ; @1700 tick | tick ; garp 1 ; renew 1
H11 | -G 1s | {held} ; @1700 tick ; @1710 done 1 renew ok ; @2200 tick | tick ; renew 1
H11 | -G 0 -F 1s | {held} ; @1200 tick ; @1210 done 1 renew ok ; @1700 tick | tick ; garp 1 ; renew 1
H11 | -G 0 -F 1s | {held} ; @1200 tick ; @1210 done 1 renew ok ; @1700 tick ; @1710 done 1 renew ok ; @2200 tick ; @2210 done 1 renew ok ; @2700 tick | tick ; garp 1 ; renew 1
H11 | -G 0 | {held} ; @1200 tick ; @1210 done 1 renew ok ; @1700 tick | tick ; renew 1
H9 | . | {held} ; @1200 tick ; @1250 carrier 1 lan0 | -
R1 | . | {held} ; @800 cmd standby ; @900 done 1 stop ok | announce standby rsc=none ask=0 why=standby ; transition a released the resource group
R1 | . | {held} ; @800 cmd standby ; @900 done 1 stop fail | announce standby rsc=none ask=0 why=standby dirty=1 ; transition a released the resource group
R1 | . | {held} ; @800 done 1 stop ok | -
S1 | -H b -a on | @0 dead b silent=1000 ; @100 done 1 start ok ; @500 up b st=active gen=2 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2500 tick ; @2600 done 1 stop ok ; @2700 status b st=active rsc=held ask=0 | announce active rsc=none ask=0
S5 | . | {held} ; @800 cmd standby ; @900 done 1 stop ok ; @1000 status b st=active rsc=held ask=0 | -
S5 | -B | @0 up b st=active gen=1 rsc=held ask=0 ; @5000 tick | tick
S3 | -B | @0 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; persist 1 active ; announce active rsc=none ask=0 ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
S5 | . | {up} ; @100 status b st=active rsc=held ask=1 ; @200 status b st=active rsc=held ask=0 ; @300 tick | tick
S2 | . | {up} ; @600 tick ; @700 done 1 start lost ; @800 done 1 stop ok ; @2700 tick | tick
S2 | . | {up} ; @600 tick ; @700 done 1 start lost ; @800 done 1 stop ok ; @2800 tick | tick ; announce active rsc=none ask=0 ; announce active rsc=acq ask=0
S2 | . | {up} ; @600 tick ; @700 done 1 start lost ; @800 done 1 stop ok ; @900 carrier 1 lan0 ; @2800 tick | tick
S2 | . | {up} ; @600 tick ; @700 done 1 start lost ; @800 done 1 stop ok ; @900 carrier 1 lan0 ; @1000 carrier 1 up ; @2800 tick | tick ; announce active rsc=none ask=0 ; announce active rsc=acq ask=0
S2 | . | {up} ; @600 tick ; @700 done 1 start fail X ; @2700 tick ; @3300 tick ; @3400 done 1 start fail X ; @7300 tick | tick
S2 | . | {up} ; @600 tick ; @700 done 1 start fail X ; @2700 tick ; @3300 tick ; @3400 done 1 start fail X ; @7400 tick | tick ; announce active rsc=none ask=0 ; announce active rsc=acq ask=0
S2 | . | {up} ; @600 tick ; @700 done 1 start fail IPaddr (192.0.2.10 is answered by 02:00:00:00:00:99) ; @2700 tick ; @3300 tick ; @3400 done 1 start fail IPaddr (192.0.2.10 is answered by 02:00:00:00:00:99) ; @5400 tick | tick ; announce active rsc=none ask=0 ; announce active rsc=acq ask=0
S3 | . | {held} ; @800 status b st=active rsc=none ask=1 ; @900 done 1 stop ok ; @1000 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; persist 1 active ; announce active rsc=none ask=0 ; start 1 3500 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is dead)
S3 | . | {up} ; @600 tick ; @700 done 1 start fail IPaddr (x) ; @800 dead b silent=1000 | transition node b: is dead (silent for 1.0 s)
S4 | . | {held} ; @800 status b st=active rsc=none ask=1 ; @900 done 1 stop ok ; @1000 status b st=standby rsc=none ask=0 | persist 1 active ; announce active rsc=none ask=0 ; start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is in standby)
S4 | . | {held} ; @800 cmd standby ; @900 done 1 stop ok ; @1000 status b st=standby rsc=none ask=0 | persist 1 active ; announce active rsc=none ask=0 ; start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b is in standby)
S4 | . | {up} ; @600 tick ; @700 done 1 start lost ; @800 done 1 stop ok ; @900 status b st=standby rsc=none ask=0 | -
S4 | -H b | {up} ; @100 cmd standby ; @200 status b st=standby rsc=none ask=0 why=standby ; @300 tick | tick
S4 | . | {up} ; @100 cmd standby ; @200 status b st=standby rsc=none ask=0 why=standby | persist 1 active ; announce active rsc=none ask=0 ; start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (standby was asked on b)
S4 | -H b | {up} ; @100 cmd standby ; @200 status b st=standby rsc=none ask=0 why=carrier | persist 1 active ; announce active rsc=none ask=0 ; start 1 0 ; announce active rsc=acq ask=0 ; transition a taking over the resource group (b lost its LAN link)
K1 | . | @0 cmd standby | transition standby refused: b is not up, nobody would take the group
K1 | . | {up} ; @100 status b st=standby rsc=held ask=0 why=standby ; @200 cmd standby | transition standby refused: b is in standby too, nobody would take the group
K2 | . | {up} ; @100 cmd standby | transition standby asked: giving the group to b ; persist 1 standby ; announce standby rsc=none ask=0 why=standby
K3 | . | {held} ; @800 cmd takeover | transition takeover asked
K3 | -H b | {up} ; @100 cmd standby ; @200 cmd takeover | transition takeover asked ; persist 1 active ; announce active rsc=none ask=1 ; announce active rsc=acq ask=1
K4 | . | @0 cmd stop | announce standby rsc=none ask=0 why=stop ; transition a stopped (stop asked) ; exit 0
K4 | . | @0 fatal hbsend (pid 9) exited | log error hbsend (pid 9) exited: releasing the group and stopping ; announce standby rsc=none ask=0 why=fatal ; transition a stopped (hbsend (pid 9) exited) ; exit 3
K4 | . | @0 cmd reboot | log warn unknown command 'reboot'
X1 | . | {held} ; @800 cmd stop | announce standby rsc=rel ask=0 why=stop ; stop 1 ; transition a releasing the resource group (stop asked)
X1 | . | {held} ; @800 cmd stop ; @900 done 1 stop ok | announce standby rsc=none ask=0 why=stop ; transition a released the resource group ; transition a stopped (stop asked) ; exit 0
X2 | . | {up} ; @100 cmd stop | announce standby rsc=none ask=0 why=stop ; transition a stopped (stop asked) ; exit 0
X3 | . | {up} ; @600 tick ; @650 cmd stop | -
X3 | . | {up} ; @600 tick ; @650 cmd stop ; @700 done 1 start ok | announce active rsc=held ask=0 ; transition a holds the resource group (acquired in 100 ms) ; announce standby rsc=rel ask=0 why=stop ; stop 1 ; transition a releasing the resource group (stop asked)
X3 | . | {held} ; @800 cmd stop ; @850 tick | tick
X4 | . | {held} ; @800 cmd stop ; @850 fatal hbrecv (pid 8) exited ; @900 done 1 stop ok | announce standby rsc=none ask=0 why=stop ; transition a released the resource group ; transition a stopped (stop asked) ; exit 3
G1 | -H a -H b | @0 up b st=active gen=1 g2=active,none,0 groups=2 | transition node b: is up (st=active gen=1 g2=active,none,0 groups=2) ; announce active rsc=acq ask=0 g2=active,none,0 groups=2
G1 | -H a -H b | @0 up b st=active gen=1 g2=active,none,0 groups=2 ; @600 tick | tick ; start 1 0 ; transition a taking over resource group 1 (nobody holds it; a is designated)
G1 | -H a -H b | @0 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; start 1 3500 ; announce active rsc=acq ask=0 g2=active,none,0 groups=2 ; transition a taking over resource group 1 (b is dead) ; start 2 3500 ; announce active rsc=acq ask=0 g2=active,acq,0 groups=2 ; transition a taking over resource group 2 (b is dead)
G1 | -H a -H b | @0 up b st=active gen=1 g2=active,held,0 groups=2 ; @600 tick ; @700 done 1 start ok ; @800 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; start 2 3500 ; announce active rsc=held ask=0 g2=active,acq,0 groups=2 ; transition a taking over resource group 2 (b is dead)
G1 | -H a -H b | @0 up b st=active gen=1 g2=active,held,0,dirty,junk,more groups=2 | transition node b: is up (st=active gen=1 g2=active,held,0,dirty,junk,more groups=2) ; announce active rsc=acq ask=0 g2=active,none,0 groups=2
G1 | -H a -H b | @0 up b st=active gen=1 groups=2 ; @100 done 3 start ok | -
G2 | -H a -H b | @0 up b st=active gen=1 g2=active,held,0 groups=2 ; @600 tick ; @700 done 1 start ok ; @800 cmd standby local | transition standby asked: giving group 1 to b ; persist 1 standby ; announce standby rsc=held ask=0 why=standby g2=active,none,0 groups=2 ; announce standby rsc=rel ask=0 why=standby g2=active,none,0 groups=2 ; stop 1 ; transition a releasing resource group 1 (standby)
G2 | -H a -H b | @0 up b st=active gen=1 g2=active,held,0 groups=2 ; @600 tick ; @700 done 1 start ok ; @800 cmd standby foreign | transition standby asked: giving group 2 to b ; persist 2 standby ; announce active rsc=held ask=0 g2=standby,none,0,standby groups=2
G2 | -H a -H b | @0 up b st=active gen=1 g2=active,held,0 groups=2 ; @800 cmd takeover foreign ; @900 status b st=active rsc=none ask=0 g2=standby,rel,0,takeover groups=2 ; @950 status b st=active rsc=none ask=0 g2=standby,none,0,takeover groups=2 | start 2 none 950 ; announce active rsc=acq ask=0 g2=active,acq,1 groups=2 ; transition a taking over resource group 2 (takeover)
G2 | -H a -H b | @0 up b st=active gen=1 groups=2 ; @100 cmd standby sideways | transition standby refused: 'sideways' is not all, local or foreign
G2 | -H a -H a | @0 up b st=active gen=1 groups=2 ; @100 cmd standby foreign | transition standby refused: no foreign resource group (home b)
G3 | -H a -H b | @0 up b st=active gen=1 rsc=none ask=0 | log warn b runs 1 resource group, a 2: their haresources differ; the groups are matched by their line number ; transition node b: is up (st=active gen=1 rsc=none ask=0) ; announce active rsc=acq ask=0 g2=active,none,0 groups=2
G3 | -H a -H b | @0 up b st=active gen=1 | transition node b: is up (st=active gen=1) ; announce active rsc=acq ask=0 g2=active,none,0 groups=2
I1 | -P 2 | @0 up b st=active gen=1 ping=2 ; @10 ping 192.0.2.1 up ; @20 ping 192.0.2.2 up ; @600 tick ; @700 done 1 start ok ; @800 ping 192.0.2.2 down | transition a reaches 1 of its 2 ping nodes (192.0.2.2 down) ; announce active rsc=held ask=0 ping=1 ; announce standby rsc=rel ask=0 why=ping ping=1 ; stop 1 ; transition a releasing the resource group (b reaches 2 ping nodes, a 1)
I1 | -P 2 | @0 up b st=standby gen=1 rsc=none ask=0 why=takeover ping=2 ; @10 ping 192.0.2.1 up ; @20 ping 192.0.2.2 up ; @600 tick ; @700 done 1 start ok ; @800 ping 192.0.2.2 down | transition a reaches 1 of its 2 ping nodes (192.0.2.2 down) ; announce active rsc=held ask=0 ping=1 ; announce standby rsc=rel ask=0 why=ping ping=1 ; stop 1 ; transition a releasing the resource group (b reaches 2 ping nodes, a 1)
I1 | -P 2 | @0 up b st=standby gen=1 rsc=none ask=0 why=standby ping=2 ; @10 ping 192.0.2.1 up ; @20 ping 192.0.2.2 up ; @600 tick ; @700 done 1 start ok ; @800 ping 192.0.2.2 down | transition a reaches 1 of its 2 ping nodes (192.0.2.2 down) ; announce active rsc=held ask=0 ping=1
I1 | -P 2 | @0 up b st=active gen=1 ping=1 ; @10 ping 192.0.2.1 up ; @20 ping 192.0.2.2 up ; @600 tick ; @700 done 1 start ok ; @800 ping 192.0.2.2 down | transition a reaches 1 of its 2 ping nodes (192.0.2.2 down) ; announce active rsc=held ask=0 ping=1
I2 | -P 1 | @0 up b st=active gen=1 ping=1 ; @10 ping 192.0.2.1 down | transition a reaches 0 of its 1 ping node (192.0.2.1 down) ; announce active rsc=acq ask=0 ping=0 ; announce active rsc=none ask=0 ping=0
I2 | -H b -P 1 | @0 up b st=active gen=1 ping=0 ; @10 ping 192.0.2.1 up | transition a reaches 1 of its 1 ping node (192.0.2.1 up) ; announce active rsc=none ask=0 ping=1 ; announce active rsc=acq ask=0 ping=1
I2 | -H b -P 1 -a on | @0 dead b silent=1000 ; @5 ping gw up ; @10 done 1 start ok ; @500 up b st=active gen=2 ping=0 ; @600 tick ; @610 done 1 renew ok ; @1200 tick ; @1210 done 1 renew ok ; @1800 tick ; @1810 done 1 renew ok ; @2600 tick | tick ; renew 1
I3 | -P 2 | @0 up b st=active gen=1 ping=2 ; @10 ping 192.0.2.1 up ; @20 ping 192.0.2.2 up ; @600 tick ; @700 done 1 start ok ; @800 ping 192.0.2.2 down ; @900 done 1 stop ok ; @1000 ping 192.0.2.2 up | transition a reaches 2 of its 2 ping nodes (192.0.2.2 up) ; announce standby rsc=none ask=0 why=ping ping=2 ; announce active rsc=none ask=0 ping=2 ; announce active rsc=acq ask=0 ping=2
I3 | -P 2 | @0 up b st=active gen=1 ping=2 ; @10 ping 192.0.2.1 up ; @20 ping 192.0.2.2 up ; @600 tick ; @700 done 1 start ok ; @800 ping 192.0.2.2 down ; @900 done 1 stop ok ; @1000 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; announce active rsc=none ask=0 ping=1 ; start 1 3500 ; announce active rsc=acq ask=0 ping=1 ; transition a taking over the resource group (b is dead)
I4 | -P 1 | @0 ping 192.0.2.1 down ; @100 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; transition a takes no resource group from a silent b: it reaches none of its ping nodes
I4 | -P 1 | @0 dead b silent=1000 | transition node b: is dead (silent for 1.0 s) ; transition a takes no resource group from a silent b: none of its ping nodes is reported yet
I4 | -P 1 | @0 ping 192.0.2.1 down ; @100 dead b silent=1000 ; @200 ping 192.0.2.1 up | transition a reaches 1 of its 1 ping node (192.0.2.1 up) ; announce active rsc=none ask=0 ping=1 ; start 1 3500 ; announce active rsc=acq ask=0 ping=1 ; transition a taking over the resource group (b is dead)
I4 | -P 1 | @0 ping 192.0.2.1 up ; @10 dead b silent=1000 ; @100 done 1 start ok ; @200 ping 192.0.2.1 down | transition a reaches 0 of its 1 ping node (192.0.2.1 down) ; announce active rsc=held ask=0 ping=0 ; announce standby rsc=rel ask=0 why=ping ping=0 ; stop 1 ; transition a releasing the resource group (cut off: b is silent and no ping node answers)
I4 | -P 1 | @0 ping 192.0.2.1 up ; @10 dead b silent=1000 ; @100 done 1 start ok ; @200 ping 192.0.2.1 down ; @300 done 1 stop ok | announce standby rsc=none ask=0 why=ping ping=0 ; transition a released the resource group ; announce active rsc=none ask=0 ping=0
I4 | -P 1 | @0 ping gw up ; @1 ping other up | log warn ping node other is one more than -P 1: ignored
I4 | . | @0 ping gw up | log warn bad ping event (want: ping NAME up|down|unknown, with -P)
I4 | -P 1 | @0 ping 192.0.2.1 down ; @100 dead b silent=1000 ; @200 cmd takeover | transition takeover asked ; announce active rsc=none ask=1 ping=0 ; log warn takeover asked: a takes the resource group though no ping node answers ; start 1 3500 ; announce active rsc=acq ask=1 ping=0 ; transition a taking over the resource group (b is dead)
I4 | -P 1 | @0 ping 192.0.2.1 down ; @100 dead b silent=1000 ; @200 cmd takeover ; @300 done 1 start ok ; @400 tick | tick
I4 | -P 1 | @0 ping 192.0.2.1 up ; @10 dead b silent=1000 ; @100 done 1 start ok ; @200 ping 192.0.2.1 down ; @300 done 1 stop ok ; @400 ping 192.0.2.1 up ; @2100 tick | tick
I4 | -P 1 | @0 ping 192.0.2.1 up ; @10 dead b silent=1000 ; @100 done 1 start ok ; @200 ping 192.0.2.1 down ; @300 done 1 stop ok ; @400 ping 192.0.2.1 up ; @2300 tick | tick ; start 1 3500 ; announce active rsc=acq ask=0 ping=1 ; transition a taking over the resource group (b is dead)
I4 | -P 1 | @0 ping 192.0.2.1 up ; @10 ping 192.0.2.1 unknown | transition a: ping node 192.0.2.1 is not known for now ; announce active rsc=none ask=0
G4 | -H a -H b -k aa -k bb | @0 up b st=active gen=1 rsc=held ask=0 g2=active,none,0 groups=2 sums=bb.aa | log warn b's haresources has this node's line 1 as its line 2: paired so (make the two files the same) ; log warn b's haresources has this node's line 2 as its line 1: paired so (make the two files the same) ; transition node b: is up (st=active gen=1 rsc=held ask=0 g2=active,none,0 groups=2 sums=bb.aa) ; announce active rsc=acq ask=0 g2=active,none,0 groups=2 sums=aa.bb
G4 | -H a -H b -k aa -k bb | @0 up b st=active gen=1 rsc=none ask=0 sums=aa | log error b's haresources has no line like this node's line 2 (home b): b cannot hold that group; this node takes it as from a dead peer (make the two files the same) ; transition node b: is up (st=active gen=1 rsc=none ask=0 sums=aa) ; announce active rsc=acq ask=0 g2=active,none,0 groups=2 sums=aa.bb ; start 2 3500 ; announce active rsc=acq ask=0 g2=active,acq,0 groups=2 sums=aa.bb ; transition a taking over resource group 2 (b's haresources has not this group)
G4 | -H a -k aa | @0 up b st=active gen=1 rsc=none ask=0 sums=cc | log error b's haresources line 1 differs from this node's: taken as the same group all the same (make the two files the same) ; transition node b: is up (st=active gen=1 rsc=none ask=0 sums=cc) ; announce active rsc=acq ask=0 sums=aa
G4 | -H a -H b -k aa -k bb | @0 up b st=active gen=1 rsc=none ask=0 g2=active,held,0 groups=2 sums=aa.cc ; @100 status b st=active rsc=none ask=0 g2=active,held,0 groups=2 sums=aa.bb | log info b's haresources line 2 is this node's again
X
}

# run_case OPTIONS EVENTS: hbown's actions for the last event (status
# and debug lines left out), " ; " between them.
run_case() {
	local opts=$1 events=$2 last
	[ "$opts" = . ] && opts=""
	# the defaults' home a unless the case names its groups' homes
	[[ $opts == *"-H "* ]] || opts="-H a $opts"
	events=${events//\{up\}/@0 up b st=active gen=1}
	events=${events//\{held\}/@0 up b st=active gen=1 ; @600 tick ; @700 done 1 start ok}
	last=${events##* ; }
	{
		if [ "$last" != "$events" ]; then
			printf '%s\n' "${events% ; *}" | sed 's/ ; /\n/g'
		fi
		echo mark
		printf '%s\n' "$last"
	} | hbown -n a -p b -d 1s -l 2s $opts |
	    sed '1,/^log debug ignored: mark$/d' |
	    grep -v -e '^status ' -e '^log debug ' -e '^notify ' |
	    awk 'BEGIN { s = "" } { s = s (NR > 1 ? " ; " : "") $0 }
		END { print (s == "" ? "-" : s) }'
}

@test "every case of the ownership table gives its actions" {
	local row opts events want got bad=0 n=0
	while IFS='|' read -r row opts events want; do
		row=${row// /} opts=${opts# } opts=${opts% }
		events=${events# } events=${events% } want=${want# } want=${want% }
		got=$(run_case "$opts" "$events")
		n=$((n + 1))
		if [ "$got" != "$want" ]; then
			printf '%s: %s\n  want: %s\n  got:  %s\n' "$row" "$events" \
			    "$want" "$got"
			bad=$((bad + 1))
		fi
	done < <(cases)
	echo "$n cases, $bad wrong"
	[ "$n" -ge 60 ]
	[ "$bad" -eq 0 ]
}

@test "every row of hbnode(8)'s PROTOCOL table has a case, and every case a row" {
	local rows cases
	rows=$(sed -n '/^\.Sh PROTOCOL/,/^\.Sh /p' "$HAKIT_SHAREDIR/man/hbnode.8" |
	    grep -Eo '^\.It [A-Z][0-9]+\b' | awk '{ print $2 }' | sort -u)
	cases=$(cases | awk '{ print $1 }' | sort -u)
	[ "$(echo "$rows" | wc -l)" -ge 30 ]
	diff <(echo "$rows") <(echo "$cases")
}

@test "the status line says who holds the group" {
	run -0 bash -c "printf '@0 up b st=active gen=1\n@600 tick\n@700 done 1 start ok\n' |
	    hbown -n a -p b -H a | grep '^status ' | tail -n 1"
	[ "$output" = "status node a state=active rsc=held ask=0 home=a|peer b state=up st=active rsc=none ask=0|holder a" ]
	run -0 bash -c "printf '@0 up b st=active gen=1 rsc=held\n@100 cmd stop\n' |
	    hbown -n a -p b -H b | grep '^status ' | tail -n 1"
	[ "$output" = "status node a state=stopped rsc=none ask=0 home=b|peer b state=up st=active rsc=held ask=0|holder b" ]
}

@test "the same lines give the same actions; -C takes lines without @MS from the clock" {
	local in
	in=$(printf '@0 up b st=active gen=1\n@600 tick\n@700 done 1 start ok\n@1300 tick\n')
	run -0 bash -c "diff <(printf '%s\n' '$in' | hbown -n a -p b -H a) \
	    <(printf '%s\n' '$in' | hbown -n a -p b -H a)"
	# with the clock, a claim settles after 500 ms of real time
	run -0 bash -c "{ echo 'up b st=active gen=1'; sleep 0.7; echo tick; } |
	    hbown -C -n a -p b -H a"
	[[ $output == *"start 1 0"* ]]
	run -0 bash -c "{ echo 'up b st=active gen=1'; echo tick; } |
	    hbown -C -n a -p b -H a"
	[[ $output != *"start 1 0"* ]]
}

@test "-T: with -C, hbown ticks by itself, lines or none; without -C it is refused" {
	run -0 bash -c "{ sleep 0.3; echo 'up b st=active gen=1'; sleep 0.8; } |
	    hbown -C -T 200ms -n a -p b -H a | grep -v '^status'"
	# ticks before and after the line, and the claim settles on them
	[ "$(grep -c '^tick$' <<<"$output")" -ge 4 ] || { echo "$output"; false; }
	[[ $output == *"transition node b: is up"*"start 1 0"* ]]
	run -2 hbown -T 250ms -n a -p b -H a
	[[ $output == *"-T needs -C"* ]]
	# an overlong line and a last line without its newline, read raw
	run -0 bash -c "{ head -c 3000 /dev/zero | tr '\\0' x; echo; printf 'cmd stop'; } |
	    hbown -C -T 1s -n a -p b -H a 2>&1"
	[[ $output == *"line longer than 1022 bytes dropped"* ]]
	[[ $output == *"exit 0"* ]]
}

@test "after its exit, hbown reads and drops what still comes, for 2 s at most" {
	run -0 bash -c "printf '%s\n' '@0 cmd stop' '@100 up b st=active gen=1' '@200 cmd takeover' |
	    hbown -n a -p b -H a | grep -v '^status'"
	[[ ${lines[-1]} == "exit 0" ]] || { echo "$output"; false; }
	# and ends by itself, though its input does not
	run -0 bash -c "{ echo 'cmd stop'; sleep 3; } | timeout 2.8 hbown -C -T 100ms -n a -p b -H a >/dev/null"
}

@test "garbled, overlong and unknown lines change nothing; time never goes back" {
	local long
	long=$(head -c 3000 /dev/zero | tr '\0' x)
	run -0 bash -c "printf '%s\n' '@0 up b st=active gen=1' 'nonsense here' \
	    '$long' 'done' 'cmd' '@oops tick' '@100 cmd' '' '   ' \
	    '@50 tick' 'done 1 start ok' '@600 tick' |
	    hbown -n a -p b -H a 2>&1"
	[[ $output == *"line longer than 1022 bytes dropped"* ]]
	[[ $output == *"bad time '@oops'"* ]]
	[[ $output == *"bad time '@50'"* ]]
	# the done 1 start ok came before any start: ignored; the claim settles
	[[ $output == *"log debug ignored: done 1 start ok"* ]]
	[[ $output == *"start 1 0"* ]]
	[[ $output != *"rsc=held"* ]]
}

@test "bad options exit 2 with the reason" {
	run -2 hbown -n a -p b
	[[ $output == *"-n, -p and -H are needed"* ]]
	run -2 hbown -n a -p a -H a
	[[ $output == *"NODE and PEER are both 'a'"* ]]
	run -2 hbown -n a -p b -H c
	[[ $output == *"HOME 'c' is neither NODE nor PEER"* ]]
	# ha.cf's legacy is on, as hbnode reads it: a failback
	run -0 bash -c "printf '%s\n' '@0 dead b silent=1' '@1 done 1 start ok' \
	    '@2 up b st=active gen=2' '@500 tick' '@501 done 1 renew ok' \
	    '@1000 tick' '@1001 done 1 renew ok' '@1500 tick' '@1501 done 1 renew ok' \
	    '@2010 tick' | hbown -n a -p b -H b -d 1s -a legacy"
	[[ $output == *"auto_failback: b is back"* ]]
	run -2 hbown -n a -p b -H a -a maybe
	[[ $output == *"bad auto_failback 'maybe'"* ]]
	run -2 hbown -n 'a b' -p b -H b
	[[ $output == *"bad node name"* ]]
	run -2 hbown -n a -p b -H a -F 500ms
	[[ $output == *"refresh under 1s"* ]]
	run -2 hbown -n a -p b -H a -l 1ms
	[[ $output == *"bad lease '1ms'"* ]]
}

@test "notify lines for the hooks: each transition of each group, and the node's own" {
	run -0 bash -c "printf '%s\n' '@0 up b st=active gen=1 g2=active,held,0 groups=2' \
	    '@600 tick' '@700 done 1 start ok' '@800 cmd standby local' '@900 done 1 stop ok' \
	    '@1000 dead b silent=1000' '@1100 done 2 start fail db (exit 1)' '@1200 cmd stop' \
	    '@1300 done 1 start ok' '@1400 done 1 stop ok' |
	    hbown -n a -p b -H a -H b -d 1s | grep '^notify '"
	[ "$output" = "notify - peer-up st=active gen=1
notify 1 taking nobody holds it; a is designated
notify 1 master acquired
notify 1 standby asked
notify 1 releasing standby
notify 1 backup released
notify - peer-dead silent for 1.0 s
notify 1 taking b is dead
notify 2 taking b is dead
notify 2 fault db (exit 1)
notify 1 master acquired
notify 1 releasing stop asked
notify 1 backup released
notify - stopped stop asked" ] || { echo "$output"; false; }
}

@test "the longest announcement of 6 groups fits in a heartbeat, whatever the node's name" {
	local g line node
	node=$(printf 'n%.0s' $(seq 63))
	line="standby rsc=none ask=0 why=takeover dirty=1"
	for g in 2 3 4 5 6; do
		line="$line g$g=standby,none,0,takeover,dirty"
	done
	line="$line groups=6 sums=aaaaaa.bbbbbb.cccccc.dddddd.eeeeee.ffffff ping=16"
	printf 'auth 15\n15 sha256 secret\n' >"$BATS_TEST_TMPDIR/ak"
	chmod 600 "$BATS_TEST_TMPDIR/ak"
	# hbsend refuses a status line that could not fit ("too long")
	run bash -c "{ echo '$line'; sleep 0.3; } |
	    timeout 1 hbsend -i 100ms -k '$BATS_TEST_TMPDIR/ak' -n $node -s active udp:127.0.0.1:9 2>&1"
	[ "$status" -eq 0 ] || [ "$status" -eq 124 ]
	[[ $output != *"too long"* ]] || { echo "$output"; false; }
	# a seventh group is refused
	run -2 hbown -n a -p b -H a -H a -H a -H a -H a -H a -H a
	[[ $output == *"more than 6 groups"* ]]
}
