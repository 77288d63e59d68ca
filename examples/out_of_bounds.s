# Reads 8 bytes at offset 2 whatever the input's length: with a 4-byte
# input this reads past its end. The checked mode stops it.
    r0 = *(u64 *)(r1 + 2)
    exit
