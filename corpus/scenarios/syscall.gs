# syscall.gs - system calls against collections: one P and four Ms, so a
# goroutine in a long system call has its P handed off, and the collector
# scans goroutines in Gsyscall while others race to exitsyscall.

threads 4
procs 1
gc conc
heap 256

prog caller frame 4
    NEW 0
    SYSCALL 15
    NEW 1
    STORE 0 0 1
    SYSCALL 1
    SYSCALL 0           # enter and leave at once
    SYSCALL 7
    USE 0
    USE 1
end

prog collector frame 2
    GC
    SYSCALL 2
    GC
    SYSCALL 5
    GC
end

start caller x4
start collector
