# Append, index and sort 200k ints from a deterministic LCG.
def main():
    seed = 42
    lst = []
    for i in range(200000):
        seed = (seed * 1103515245 + 12345) % 2147483648
        lst.append(seed % 1000000)
    total = 0
    for i in range(0, len(lst), 7):
        total += lst[i]
    s = sorted(lst)
    print("%d %d %d %d" % (total, s[0], s[100000], s[199999]))

main()
