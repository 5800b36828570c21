A = [[1, 2], [3, 4]]
B = [[5, 6], [7, 8]]


def matmul(A, B):
    rows, inner, cols = len(A), len(B), len(B[0])
    return [[sum(A[i][k] * B[k][j] for k in range(inner)) for j in range(cols)] for i in range(rows)]


def transpose(M):
    return [list(r) for r in zip(*M)]


print(matmul(A, B), transpose(A), [[a + b for a, b in zip(r, s)] for r, s in zip(A, B)])
identity = [[1 if i == j else 0 for j in range(3)] for i in range(3)]
print(identity)
for row in matmul(A, A):
    print(' '.join(f'{v:3d}' for v in row))
det = A[0][0] * A[1][1] - A[0][1] * A[1][0]
print(det, [x * 0.5 for x in A[0]], sum(sum(r) for r in A), max(max(r) for r in B))
table = [[i * j for j in range(1, 4)] for i in range(1, 4)]
print(table, table[2][1], [row[0] for row in table])
