# quiesce.gs - quiesce must bring every goroutine to its phase work
# whatever it is doing: parked on a semaphore (Gwaiting), spinning with no
# preemption point (Grunning), in a system call (Gsyscall) or yielding
# (Grunnable). The two collectors each WAKE semaphore 0 once, after their
# first collection, for the two waiters.

threads 6
procs 2
gc quiesce
heap 512

prog gcer frame 2
    NEW 0
    GC                  # the waiters are parked during this one
    WAKE 0
    GC
    USE 0
    GC
end

prog waiter frame 2
    NEW 1
    BLOCK 0
    USE 1
    NEW 0
    USE 0
end

prog spinner frame 2
    NEW 0
    SPIN 4080           # quiesce must wait for the next preemption point
    YIELD
    SPIN 4080
    USE 0
end

prog sleeper frame 2
    NEW 0
    SYSCALL 15
    USE 0
    SYSCALL 15
end

prog yielder frame 2
    YIELD
    YIELD
    NEW 0
    YIELD
    YIELD
    USE 0
end

start waiter x2
start spinner
start sleeper
start yielder x2
start gcer x2
