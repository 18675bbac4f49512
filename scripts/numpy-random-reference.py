"""Print the numpy reference values hard-coded in Tests/ExemplarDataTests/KShot/NumPyRandomTests.swift.

Run once with any numpy that keeps the legacy RandomState stream (all of them since 1.17 do;
the values were made with numpy 2.4.6):  python3 scripts/numpy-random-reference.py
"""
import numpy as np

def show(name, values):
    print(f"{name}: {list(values)}")

for seed in [0, 1, 42, 5489, 2**32 - 1]:
    np.random.seed(seed)
    # randint over exactly 2**32 values is one raw 32-bit output per value.
    show(f"raw32 seed {seed}", [int(v) for v in np.random.randint(0, 2**32, size=6, dtype=np.uint64)])

np.random.seed([0x123, 0x234, 0x345, 0x456])
show("raw32 init_by_array [0x123,0x234,0x345,0x456]", [int(v) for v in np.random.randint(0, 2**32, size=6, dtype=np.uint64)])
np.random.seed([7])
show("raw32 init_by_array [7]", [int(v) for v in np.random.randint(0, 2**32, size=3, dtype=np.uint64)])

np.random.seed(42)
show("random_sample seed 42", [repr(float(v)) for v in np.random.random_sample(4)])
np.random.seed(42)
show("randint(0,10) seed 42", [int(v) for v in np.random.randint(0, 10, size=10)])
np.random.seed(7)
show("randint(-5,5) seed 7", [int(np.random.randint(-5, 5)) for _ in range(8)])
np.random.seed(7)
show("randint(0,2**40) seed 7", [int(np.random.randint(0, 2**40)) for _ in range(4)])
np.random.seed(7)
show("randint(0,2**32+1) seed 7", [int(np.random.randint(0, 2**32 + 1)) for _ in range(4)])
np.random.seed(3)
show("randint(0,2**31+1) seed 3", [int(np.random.randint(0, 2**31 + 1)) for _ in range(4)])

for seed in [13, 21, 42, 87, 100]:
    for n in [1, 2, 3, 7, 8, 9, 16, 17, 31, 32, 33]:
        np.random.seed(seed)
        show(f"permutation seed {seed} n {n}", np.random.permutation(n).tolist())

# Long shuffles of a list (as LM-BFF shuffles lines): first 8 items, and a checksum
# sum((i + 1) * x[i]) mod 2**61 - 1 over the whole result.
for seed in [13, 42, 100]:
    for n in [1023, 1024, 1025, 6920, 65537]:
        np.random.seed(seed)
        x = list(range(n))
        np.random.shuffle(x)
        checksum = sum((i + 1) * v for i, v in enumerate(x)) % (2**61 - 1)
        print(f"shuffle seed {seed} n {n}: head {x[:8]} checksum {checksum}")
