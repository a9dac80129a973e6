# alloc-during-mark.gs - a lost-object shape of a concurrent collector:
# objects allocated while mark runs, into stacks that may already have
# been scanned, and linked to objects allocated before the cycle.
#
# Three builders each grow a linked list by pushing at its head (NEW a
# node, node.f0 = old head, head = node), before and during the cycles a
# collector runs, then wait until the collector is done and walk the
# whole list, USE on every node. Only the newest node is on a stack; the
# older ones are reachable only through the links. Between pushes each
# builder also allocates a scratch object that only its stack holds, and
# USEs the last one at the end.
#
# What keeps the list alive: black allocation (a node allocated during
# mark is marked at once, so a stack scanned before the NEW does not need
# to see it) and the insertion half of the write barrier (the STORE that
# links a white node, allocated before the cycle, into a black one shades
# it, before the builder's stack drops it). Without black allocation the
# new nodes are freed under a scanned stack; without the barrier the old
# ones are (gc.checkmark, or gc.use_after_free on the walk). Every BLOCK
# has its WAKE: sema 0, the collector wakes the three builders. Slot 3
# is never written (nil). Clean under stw and quiesce too.

threads 4
procs 2
gc conc
heap 512

prog builder frame 4
    NEW 0               # head: the first node
    NEW 1
    STORE 1 0 0         # node.f0 = head
    MOV 0 1             # head = node
    YIELD
    NEW 2               # scratch, only on the stack
    NEW 1
    STORE 1 0 0
    MOV 0 1
    YIELD
    NEW 2               # scratch, only on the stack
    NEW 1
    STORE 1 0 0
    MOV 0 1
    MOV 1 3             # only the head is on the stack now
    YIELD
    NEW 2               # scratch, only on the stack
    NEW 1
    STORE 1 0 0
    MOV 0 1
    NEW 1
    STORE 1 0 0
    MOV 0 1
    MOV 1 3
    YIELD
    NEW 2               # scratch, only on the stack
    NEW 1
    STORE 1 0 0
    MOV 0 1
    MOV 1 3
    BLOCK 0             # until the collector is done
    USE 2               # the last scratch object
    MOV 1 0             # walk the list: seven nodes
    USE 1
    LOAD 1 1 0
    USE 1
    LOAD 1 1 0
    USE 1
    LOAD 1 1 0
    USE 1
    LOAD 1 1 0
    USE 1
    LOAD 1 1 0
    USE 1
    LOAD 1 1 0
    USE 1
end

prog collector frame 2
    GC
    YIELD
    GC
    YIELD
    GC
    WAKE 0
    WAKE 0
    WAKE 0
    GC                  # a cycle while the builders walk
end

start builder x3
start collector
