class BankError(Exception):
    pass


class InsufficientFunds(BankError):
    def __init__(self, balance, amount):
        super().__init__(f"balance {balance} < {amount}")
        self.balance = balance
        self.amount = amount


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    def withdraw(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        if amount > self.balance:
            raise InsufficientFunds(self.balance, amount)
        self.balance -= amount
        return self.balance


acct = Account("ann", 100)
print(acct.withdraw(30))
for amount in [500, -5, 20]:
    try:
        acct.withdraw(amount)
        print("withdrew", amount)
    except InsufficientFunds as e:
        print("insufficient:", e, e.amount - e.balance)
    except BankError:
        print("other bank error")
    except ValueError as e:
        print("bad amount:", e)
print(acct.balance, isinstance(InsufficientFunds(1, 2), BankError))


def layer_forward(x):
    raise NotImplementedError("subclasses implement forward")


try:
    layer_forward(1)
except NotImplementedError as e:
    print("NotImplementedError:", e)
try:
    raise NotImplementedError()
except RuntimeError as e:
    print("is a RuntimeError:", repr(e))
log = []
for i in range(3):
    try:
        if i == 1:
            continue
        log.append(i)
    finally:
        log.append('f%d' % i)
print(log)


def first_negative(xs):
    for x in xs:
        try:
            if x < 0:
                return x
        finally:
            pass
    return None


print(first_negative([3, -2, -5]), first_negative([1]))
