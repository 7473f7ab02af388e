using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace StatusPlatform.ServiceDefaults;

/// <summary>
/// The standard resilience pipeline for outgoing HTTP built on Polly.Core (Microsoft.Extensions.Http.Resilience
/// is not on the package mirror): a total timeout, retries with jittered backoff for transient failures of
/// requests that are safe to repeat, and a per-attempt timeout.
/// </summary>
public static class HttpResilience
{
    public static IHttpClientBuilder AddStandardResilience(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new ResilienceHandler(Pipeline));

    private static readonly ResiliencePipeline<HttpResponseMessage> Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddTimeout(TimeSpan.FromSeconds(30))
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome) && IsIdempotent(args.Context)),
        })
        .AddTimeout(TimeSpan.FromSeconds(10))
        .Build();

    private static readonly ResiliencePropertyKey<HttpMethod> MethodKey = new("http.method");

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException
        || outcome.Result?.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || (int?)outcome.Result?.StatusCode >= 500;

    // A POST that timed out may have been processed; repeating it could send a message twice.
    private static bool IsIdempotent(ResilienceContext context) =>
        context.Properties.TryGetValue(MethodKey, out var method)
        && (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Put || method == HttpMethod.Delete);

    private sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(MethodKey, request.Method);
            try
            {
                return await pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.Handler.BaseSendAsync(state.Request, ctx.CancellationToken),
                    context, (Handler: this, Request: request));
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);
    }
}
