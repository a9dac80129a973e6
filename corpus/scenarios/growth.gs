# growth.gs - stacks that grow by copying (Gcopystack) while collections
# scan them, then shrink at scan time after the calls return. Every frame
# holds references the collector must find after each move.

threads 4
procs 2
gc conc
heap 512

prog grow frame 2
    NEW 0
    CALL 63             # 64 slots
    NEW 0
    CALL 63
    NEW 0
    CALL 63
    NEW 0
    GC                  # a deep stack to scan
    CALL 63
    NEW 63
    STORE 63 0 63       # a self-reference in the deepest frame
    USE 63
    YIELD
    RET
    USE 0
    RET
    USE 0
    RET
    RET
    GC                  # the stack may shrink now
    USE 0
end

prog collector frame 1
    GC
    YIELD
    GC
    YIELD
    GC
end

start grow x3
start collector
