"""Questions ready in the same turn of the event loop are answered together, each keeping its own
result, in the order asked (bot.channels.batching)."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.batching import Batched


def test_calls_of_one_turn_run_together_in_order_each_with_its_own_result():
    calls: list[tuple[str, int]] = []
    batches: list[list[int]] = []

    def double(n: int) -> int:
        calls.append(("call", n))
        return 2 * n

    async def main() -> list[int]:
        batched = Batched(double)
        unbatched_run = batched.run

        def run() -> None:  # what each batch held when it ran
            batches.append([argument for argument, _ in batched.waiting])
            unbatched_run()

        batched.run = run  # type: ignore[method-assign]
        together = await asyncio.gather(*(batched(n) for n in range(5)))
        alone = await batched(7)  # a lone call still runs, one turn later
        return [*together, alone]

    assert asyncio.run(main()) == [0, 2, 4, 6, 8, 14]
    assert batches == [[0, 1, 2, 3, 4], [7]]
    assert [n for _, n in calls] == [0, 1, 2, 3, 4, 7]


def test_an_exception_goes_to_its_own_caller_only():
    def check(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    async def main():
        batched = Batched(check)
        return await asyncio.gather(*(batched(n) for n in range(4)), return_exceptions=True)

    results = asyncio.run(main())
    assert results[:2] == [0, 1] and results[3] == 3
    assert isinstance(results[2], ValueError)


def test_a_call_cancelled_while_waiting_is_not_run():
    ran: list[int] = []

    async def main() -> None:
        batched = Batched(ran.append)
        first = asyncio.ensure_future(batched(1))
        second = asyncio.ensure_future(batched(2))
        await asyncio.sleep(0)  # both joined the batch, which runs in the next turn
        first.cancel()
        await second
        with pytest.raises(asyncio.CancelledError):
            await first

    asyncio.run(main())
    assert ran == [2]
