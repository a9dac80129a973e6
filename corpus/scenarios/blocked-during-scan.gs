# blocked-during-scan.gs - a lost-object shape of a concurrent collector:
# goroutines scanned while they are not running - one in a system call
# (Gsyscall), one parked on a semaphore (Gwaiting) - holding references
# that they use when they come back.
#
# sleeper holds a pair (obj.f0 = other) and sits in two long system
# calls; parker holds a pair and parks until the collector wakes it. The
# collector's cycles scan both where they are: the syscall's exit races
# the scan of its stack (exitsyscall must wait for the scan bit), and the
# WAKE of the parked G may come while it is being scanned (the ready must
# wait too). After they resume both load the second object back from the
# first and USE both. Lost here: a stack skipped because its G was not
# running, or a G resumed under a scan that then misses what it does.
# Every BLOCK has its WAKE: sema 0, the collector wakes parker. Clean
# under stw and quiesce too.

threads 4
procs 2
gc conc
heap 256

prog sleeper frame 4
    NEW 0
    NEW 1
    STORE 0 0 1         # obj.f0 = other
    MOV 1 3             # the other only through obj
    SYSCALL 15          # 150 us in a system call
    LOAD 1 0 0
    USE 1
    SYSCALL 5
    USE 0
    USE 1
end

prog parker frame 4
    NEW 0
    NEW 1
    STORE 0 0 1
    MOV 1 3
    BLOCK 0             # parked until the collector wakes it
    LOAD 1 0 0
    USE 1
    USE 0
end

prog collector frame 2
    GC                  # sleeper in its syscall, parker parked
    GC
    WAKE 0              # wake parker, maybe while it is scanned
    GC
    YIELD
    GC
end

start sleeper
start parker
start collector
