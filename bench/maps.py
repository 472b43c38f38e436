# A map with 100k string keys: insert, look up, update.
def main():
    m = {}
    for i in range(100000):
        m["key%d" % i] = i
    s = 0
    for i in range(0, 100000, 3):
        s += m["key%d" % i]
    for i in range(0, 100000, 2):
        m["key%d" % i] = 0
    total = sum(m.values())
    print("%d %d %d" % (s, total, len(m)))

main()
