using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StatusPlatform.StatusApi.StatusPage.Rendering;

namespace StatusPlatform.StatusApi.StatusPage.Subscriptions;

/// <summary>
/// The per-client limit on the subscription endpoints (StatusPage:SubscriptionRequestsPerMinute over a rolling minute):
/// each one makes Notify.Service work, and most send somebody a message. A client is its IP address, an IPv6 client its
/// /64 (one host usually holds the whole prefix). Refused requests get 429 with Retry-After: ProblemDetails on the JSON
/// API, a page on the HTML forms. Applied by the rate limiter middleware the admin API puts in the pipeline.
/// </summary>
public sealed class SubscriptionRateLimit(StatusPageOptions options) : IRateLimiterPolicy<string>
{
    public const string Policy = "subscriptions-per-client";

    // A sliding window frees permits segment by segment: ten seconds at most until the next one.
    private static readonly TimeSpan Segment = TimeSpan.FromSeconds(10);

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetSlidingWindowLimiter(ClientOf(httpContext, options.ClientAddressHeader), _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.SubscriptionRequestsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        });

    /// <summary>The partition key: the client's address (the proxy header's first entry when configured), IPv6 cut to its /64.</summary>
    public static string ClientOf(HttpContext context, string? header)
    {
        var address = context.Connection.RemoteIpAddress;
        if (header is not null && context.Request.Headers[header].ToString().Split(',')[0].Trim() is { Length: > 0 } forwarded
            && IPAddress.TryParse(forwarded, out var parsed))
            address = parsed;
        if (address is null)
            return "";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return address.ToString();
    }

    /// <summary>429 with Retry-After, in the form the endpoint speaks.</summary>
    public static async Task<IResult> TooManyAsync(HttpContext context, TimeSpan retryAfter, string detail)
    {
        var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                type: "urn:statusplatform:problem:rate-limited");
        }
        var site = context.RequestServices.GetRequiredService<SiteServices>();
        return await site.ServeAsync(context, context.Request.Path, (_, frame) => site.NoticeAsync(frame, StatusCodes.Status429TooManyRequests,
            frame.T.SubscribeTitle, string.Format(CultureInfo.InvariantCulture, frame.T.TooManyRequests, (int)Math.Ceiling(seconds / 60.0)), PageCaching.Private));
    }

    /// <summary>The same, as a result a handler returns (Notify.Service refused by its per-address limit).</summary>
    public static IResult TooMany(TimeSpan retryAfter, string detail) => new TooManyResult(retryAfter, detail);

    private async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Segment;
        var result = await TooManyAsync(rejected.HttpContext, retryAfter,
            $"This client may make {options.SubscriptionRequestsPerMinute} subscription requests a minute (StatusPage:SubscriptionRequestsPerMinute); retry after the Retry-After seconds.");
        await result.ExecuteAsync(rejected.HttpContext);
    }

    private sealed class TooManyResult(TimeSpan retryAfter, string detail) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext) => await (await TooManyAsync(httpContext, retryAfter, detail)).ExecuteAsync(httpContext);
    }
}
