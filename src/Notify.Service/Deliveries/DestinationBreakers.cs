using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StatusPlatform.Notify.Channels;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// One Polly pipeline per destination (SMTP server, webhook host, chat host, SMS provider): a timeout per send and a
/// circuit breaker, so a destination that is down stops taking time from the others. Retries are not here: they
/// are durable rows in the delivery log (next_attempt_at), which a crash does not forget.
/// </summary>
public sealed class DestinationBreakers(IOptions<DeliveryOptions> options)
{
    private readonly DeliveryOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, ResiliencePipeline<string>> _pipelines = new(StringComparer.OrdinalIgnoreCase);

    public ValueTask<string> ExecuteAsync(string destination, Func<CancellationToken, Task<string>> send, CancellationToken ct) =>
        _pipelines.GetOrAdd(destination, Build).ExecuteAsync(static async (send, token) => await send(token), send, ct);

    private ResiliencePipeline<string> Build(string destination) => new ResiliencePipelineBuilder<string>()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<string>
        {
            FailureRatio = _options.BreakerFailureRatio,
            MinimumThroughput = _options.BreakerMinimumThroughput,
            SamplingDuration = _options.BreakerSamplingDuration,
            BreakDuration = _options.BreakerDuration,
            // A refused mailbox or a 404 is about one subscriber, not about the destination being down.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && e is not DeliveryException { Permanent: true }),
        })
        .AddTimeout(new TimeoutStrategyOptions { Timeout = _options.AttemptTimeout })
        .Build();

    public static bool IsTimeout(Exception e) => e is TimeoutRejectedException;
}
