using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>One HTTP request against a monitor's target, turned into an outcome with a classified, readable reason.</summary>
public sealed class HttpCheck(IHttpClientFactory clients, TimeProvider time)
{
    /// <summary>The named client configured for probing in <see cref="ProbeServiceExtensions"/>.</summary>
    public const string ClientName = "probe";

    // Enough to see that the body arrives; a probe pointed at a large download must not pull all of it every interval.
    private const int MaxBodyBytes = 1024 * 1024;

    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var target = new Uri(monitor.Target);
        var client = clients.CreateClient(ClientName);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(monitor.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int? statusCode = null;
        double? firstByteMs = null;
        try
        {
            using var request = new HttpRequestMessage(MethodOf(monitor), target);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            firstByteMs = ElapsedMs();
            statusCode = (int)response.StatusCode;
            await DrainAsync(response.Content, linked.Token);
            return IsExpected(monitor, statusCode.Value)
                ? Result(CheckOutcome.Up, null, null)
                : Result(CheckOutcome.Down, FailureKind.Status, $"HTTP {statusCode} {Shorten(response.ReasonPhrase)}".TrimEnd());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(CheckOutcome.Down, FailureKind.Timeout, statusCode is null
                ? $"Timeout: no response within {monitor.TimeoutSeconds} s"
                : $"Timeout: HTTP {statusCode} arrived but the body did not complete within {monitor.TimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            var (kind, reason) = Classify(e, target);
            return Result(CheckOutcome.Down, kind, reason);
        }
        catch (IOException e)
        {
            return Result(CheckOutcome.Down, FailureKind.Protocol, $"Connection broke while reading the body: {e.Message}");
        }

        double ElapsedMs() => time.GetElapsedTime(started).TotalMilliseconds;

        CheckResult Result(CheckOutcome outcome, FailureKind? failure, string? reason) =>
            new(startedAt, outcome, statusCode, failure, reason, new CheckTimings(null, null, null, firstByteMs, ElapsedMs()));
    }

    public static HttpMethod MethodOf(MonitorDefinition monitor) =>
        string.IsNullOrWhiteSpace(monitor.Method) ? HttpMethod.Get : HttpMethod.Parse(monitor.Method.Trim());

    /// <summary>Statuspage-style default when the monitor lists no codes: any 2xx is up.</summary>
    public static bool IsExpected(MonitorDefinition monitor, int statusCode) =>
        monitor.ExpectedStatusCodes is { Count: > 0 } codes ? codes.Contains(statusCode) : statusCode is >= 200 and <= 299;

    /// <summary>Names the layer that failed, so a reader of the page or the incident tells "DNS" from "server down".</summary>
    public static (FailureKind Kind, string Reason) Classify(HttpRequestException e, Uri target)
    {
        var socketError = Find<SocketException>(e)?.SocketErrorCode;
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => (FailureKind.Dns, $"DNS: cannot resolve {target.Host}"),
            HttpRequestError.ConnectionError when socketError is SocketError.ConnectionRefused =>
                (FailureKind.Refused, $"Connection refused by {target.Host}:{target.Port}"),
            HttpRequestError.ConnectionError =>
                (FailureKind.Connection, $"Connection to {target.Host}:{target.Port} failed: {(socketError is { } error ? error.ToString() : Innermost(e).Message)}"),
            HttpRequestError.SecureConnectionError =>
                (FailureKind.Tls, $"TLS handshake with {target.Host} failed: {(Find<AuthenticationException>(e) ?? Innermost(e)).Message}"),
            HttpRequestError.ResponseEnded => (FailureKind.Protocol, "Connection closed before a complete response"),
            HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError =>
                (FailureKind.Protocol, $"Invalid HTTP response: {Innermost(e).Message}"),
            _ => (FailureKind.Connection, $"Request failed: {Innermost(e).Message}"),
        };
    }

    private static async Task DrainAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var total = 0L;
            int read;
            while (total < MaxBodyBytes && (read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                total += read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The reason phrase comes from the target; keep a misbehaving server from filling results with text.
    private static string Shorten(string? text) => text is { Length: > 100 } ? text[..100] : text ?? "";

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T match)
                return match;
        }
        return null;
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}

/// <summary>Which layer a failed check failed at; a low-cardinality tag for metrics.</summary>
public enum FailureKind
{
    Status,
    Timeout,
    Refused,
    Dns,
    Tls,
    Connection,
    Protocol,
}

/// <summary>What one check found, before it gets an id and an identity and becomes a <see cref="CheckCompleted"/>.</summary>
public sealed record CheckResult(
    DateTimeOffset StartedAt,
    CheckOutcome Outcome,
    int? StatusCode,
    FailureKind? Failure,
    string? FailureReason,
    CheckTimings Timings);
