using System.Diagnostics;

namespace StatusPlatform.TestSupport;

/// <summary>Awaits a condition instead of sleeping: polls until it holds or the deadline passes, then fails with a message.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        T last;
        do
        {
            last = await probe();
            if (condition(last))
                return last;
            await Task.Delay(25);
        }
        while (clock.Elapsed < timeout);
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {last}");
    }

    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Until(condition, ok => ok, timeout, what);
}
