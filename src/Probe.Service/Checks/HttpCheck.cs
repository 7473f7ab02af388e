using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks.Conditions;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// One HTTP(S) check: a request on a fresh connection (following redirects if the monitor does), then status, keywords,
/// conditions and the response-time threshold, turned into an outcome with a classified, readable reason.
/// </summary>
/// <remarks>
/// Each check gets its own <see cref="SocketsHttpHandler"/>, whose ConnectCallback resolves, connects and, for https,
/// shakes hands itself (<see cref="Network"/>), timing each phase. For that the handler is given the https URL as
/// http://host:443: it speaks HTTP/1.1 over the SslStream the callback returns, while the Host header keeps the real
/// authority. A handler shared between checks would not do: since .NET 6 a connection opened for one request may serve
/// another to the same host, and with it its timings and its TLS verification setting.
/// </remarks>
public sealed class HttpCheck(TimeProvider time)
{
    /// <summary>The named client ProbeServiceExtensions still registers; checks no longer use it.</summary>
    public const string ClientName = "probe";

    // Enough to see that the body arrives and to look into it; a probe pointed at a large download must not pull all of
    // it every interval, so keywords and conditions see the first MiB.
    private const int MaxBodyBytes = 1024 * 1024;

    private const string UserAgent = "StatusPlatform-Probe/1.0";

    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var settings = monitor.Check ?? CheckSettings.Default;
        var clock = new CheckClock(time);
        IReadOnlyList<Condition> conditions;
        try
        {
            conditions = [.. (settings.Conditions ?? []).Select(Condition.Parse)];
        }
        catch (ConditionSyntaxException e)
        {
            // Incident.Service and the probe's catalog rules reject these first; this only guards a check against a newer grammar.
            return CheckResult.Down(clock, FailureKind.Assertion, $"Condition does not parse: {e.Message}");
        }

        var url = new Uri(monitor.Target);
        var connector = new Connector(clock, settings.VerifyTls);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(monitor.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var invoker = new HttpMessageInvoker(connector.CreateHandler(TimeSpan.FromSeconds(monitor.TimeoutSeconds)));
        int? statusCode = null;
        try
        {
            var (method, body) = (MethodOf(monitor), settings.Body);
            HttpResponseMessage response;
            for (var redirects = 0; ; redirects++)
            {
                connector.Target = url;
                response = await SendAsync(invoker, url, method, body, settings.Headers, linked.Token);
                statusCode = (int)response.StatusCode;
                if (!settings.FollowRedirects || Location(response, url) is not { } next)
                    break;
                response.Dispose();
                if (redirects == settings.MaxRedirects)
                    return CheckResult.Down(clock, FailureKind.Status, $"Too many redirects: more than {settings.MaxRedirects}, the next to {next}", statusCode);
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    return CheckResult.Down(clock, FailureKind.Protocol, $"HTTP {statusCode} redirects to {next}, which is not http(s)", statusCode);
                (method, body) = MethodAfterRedirect(statusCode.Value, method, body);
                url = next;
            }
            using (response)
            {
                clock.Enter(CheckPhase.Reading);
                var needsBody = settings.KeywordPresent is not null || settings.KeywordAbsent is not null
                    || conditions.Any(c => c.Subject == ConditionSubject.Body);
                var text = needsBody ? await ReadTextAsync(response.Content, linked.Token) : await DrainAsync(response.Content, linked.Token);
                return Evaluate(monitor, settings, conditions, clock, response, text, connector.Tls);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(clock, FailureKind.Timeout,
                Network.TimeoutReason(clock.Phase, url.IdnHost, url.Port, monitor.TimeoutSeconds, statusCode), statusCode);
        }
        catch (HttpRequestException e)
        {
            var (kind, reason) = Network.Describe(clock.Phase, e, url.IdnHost, url.Port, connector.Tls, clock.Now) ?? Classify(e, url);
            return CheckResult.Down(clock, kind, reason, statusCode);
        }
        catch (IOException e)
        {
            return CheckResult.Down(clock, FailureKind.Protocol, $"Connection broke while reading the body: {e.Message}", statusCode);
        }
    }

    public static HttpMethod MethodOf(MonitorDefinition monitor) =>
        string.IsNullOrWhiteSpace(monitor.Method) ? HttpMethod.Get : HttpMethod.Parse(monitor.Method.Trim());

    /// <summary>Statuspage-style default when the monitor lists no codes: any 2xx is up.</summary>
    public static bool IsExpected(MonitorDefinition monitor, int statusCode) =>
        monitor.ExpectedStatusCodes is { Count: > 0 } codes ? codes.Contains(statusCode) : statusCode is >= 200 and <= 299;

    /// <summary>Names the layer that failed, so a reader of the page or the incident tells "DNS" from "server down".</summary>
    public static (FailureKind Kind, string Reason) Classify(HttpRequestException e, Uri target)
    {
        var socketError = Network.Find<SocketException>(e)?.SocketErrorCode;
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => (FailureKind.Dns, $"DNS: cannot resolve {target.Host}"),
            HttpRequestError.ConnectionError when socketError is SocketError.ConnectionRefused =>
                (FailureKind.Refused, $"Connection refused by {target.Host}:{target.Port}"),
            HttpRequestError.ConnectionError =>
                (FailureKind.Connection, $"Connection to {target.Host}:{target.Port} failed: {(socketError is { } error ? error.ToString() : Network.Innermost(e).Message)}"),
            HttpRequestError.SecureConnectionError =>
                (FailureKind.Tls, $"TLS handshake with {target.Host} failed: {(Network.Find<AuthenticationException>(e) ?? Network.Innermost(e)).Message}"),
            HttpRequestError.ResponseEnded => (FailureKind.Protocol, "Connection closed before a complete response"),
            HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError =>
                (FailureKind.Protocol, $"Invalid HTTP response: {Network.Innermost(e).Message}"),
            _ => (FailureKind.Connection, $"Request failed: {Network.Innermost(e).Message}"),
        };
    }

    /// <summary>Status first, then keywords, then conditions in their order; the first that fails is the reason.</summary>
    private static CheckResult Evaluate(MonitorDefinition monitor, CheckSettings settings, IReadOnlyList<Condition> conditions, CheckClock clock,
        HttpResponseMessage response, string? body, TlsFacts? tls)
    {
        var status = (int)response.StatusCode;
        // A condition on [STATUS] replaces the any-2xx default, or `[STATUS] == 404` could never hold.
        var statusMatters = monitor.ExpectedStatusCodes is { Count: > 0 } || !Condition.MentionsStatus(conditions);
        if (statusMatters && !IsExpected(monitor, status))
        {
            var redirect = response.Headers.Location is { } location ? $" to {location}" : "";
            return CheckResult.Down(clock, FailureKind.Status, $"HTTP {status} {Shorten(response.ReasonPhrase)}".TrimEnd() + redirect, status);
        }
        if (settings.KeywordPresent is { } wanted && body?.Contains(wanted, StringComparison.Ordinal) != true)
            return CheckResult.Down(clock, FailureKind.Assertion, $"Keyword '{wanted}' not found in the body", status);
        if (settings.KeywordAbsent is { } unwanted && body?.Contains(unwanted, StringComparison.Ordinal) == true)
            return CheckResult.Down(clock, FailureKind.Assertion, $"Keyword '{unwanted}' found in the body", status);
        if (conditions.Count > 0)
        {
            var notAfter = tls is { CertificateSeen: true } ? tls.NotAfter : (DateTimeOffset?)null;
            using var facts = new ConditionFacts(status, clock.ElapsedMs, notAfter, clock.Now, body);
            foreach (var condition in conditions)
            {
                var result = ConditionEvaluator.Evaluate(condition, facts);
                if (!result.Passed)
                    return CheckResult.Down(clock, FailureKind.Assertion, ConditionEvaluator.Reason(condition, result), status);
            }
        }
        return CheckResult.UpUnlessSlow(clock, settings.DegradedAfterMs, status);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker, Uri url, HttpMethod method, string? body,
        IReadOnlyList<HttpHeader>? headers, CancellationToken cancellationToken)
    {
        // The handler sees https as http on port 443 and leaves TLS to the Connector; see the remarks on the class.
        var wire = url.Scheme == Uri.UriSchemeHttps ? new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Port = url.Port }.Uri : url;
        using var request = new HttpRequestMessage(method, wire);
        request.Headers.Host = Authority(url);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8);
        foreach (var header in headers ?? [])
        {
            if (header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                request.Headers.Host = header.Value;
            // Content-Type and its kin belong to the body; TryAdd refuses them on the request itself.
            else if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value) && request.Content is not null)
            {
                request.Content.Headers.Remove(header.Name);
                request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }
        if (!request.Headers.Contains("User-Agent"))
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        return await invoker.SendAsync(request, cancellationToken);
    }

    // The Host header as HttpClient would write it for the real URL: punycode, IPv6 in brackets, no default port.
    private static string Authority(Uri url)
    {
        var host = url.HostNameType == UriHostNameType.IPv6 ? $"[{url.IdnHost}]" : url.IdnHost;
        return url.IsDefaultPort ? host : $"{host}:{url.Port}";
    }

    private static Uri? Location(HttpResponseMessage response, Uri current) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location
            ? new Uri(current, location)
            : null;

    // As browsers and HttpClient do: 303 turns anything but HEAD into a GET, and 301/302 turn a POST into one.
    private static (HttpMethod, string?) MethodAfterRedirect(int status, HttpMethod method, string? body) =>
        (status == 303 && method != HttpMethod.Head) || (status is 301 or 302 && method == HttpMethod.Post)
            ? (HttpMethod.Get, null)
            : (method, body);

    private static async Task<string?> DrainAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await ReadAsync(content, null, cancellationToken);
        return null;
    }

    private static async Task<string> ReadTextAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        await ReadAsync(content, bytes, cancellationToken);
        var encoding = Encoding.UTF8;
        try
        {
            if (content.Headers.ContentType?.CharSet is { Length: > 0 } charset)
                encoding = Encoding.GetEncoding(charset.Trim('"'));
        }
        catch (ArgumentException)
        {
            // An unknown charset: UTF-8 reads ASCII keywords and JSON all the same.
        }
        return encoding.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    private static async Task ReadAsync(HttpContent content, MemoryStream? keep, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var total = 0;
            int read;
            while (total < MaxBodyBytes && (read = await body.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, MaxBodyBytes - total)), cancellationToken)) > 0)
            {
                keep?.Write(buffer, 0, read);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The reason phrase comes from the target; keep a misbehaving server from filling results with text.
    private static string Shorten(string? text) => text is { Length: > 100 } ? text[..100] : text ?? "";

    /// <summary>Opens the connections of one check: resolve, connect and, for https, the TLS handshake, each timed.</summary>
    private sealed class Connector(CheckClock clock, bool verifyTls)
    {
        /// <summary>The URL of the current request, with its real scheme.</summary>
        public Uri Target { get; set; } = null!;

        /// <summary>The certificate of the current request's connection; null over plain HTTP.</summary>
        public TlsFacts? Tls { get; private set; }

        public SocketsHttpHandler CreateHandler(TimeSpan timeout) => new()
        {
            ConnectCallback = ConnectAsync,
            // A connection attempt outlives a cancelled request (since .NET 6); this bounds it by the check's own timeout.
            ConnectTimeout = timeout,
            // A fresh connection per request: a kept-alive connection would hide a server that no longer accepts new ones.
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };

        private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
        {
            var target = Target;
            Tls = null;
            var addresses = await Network.ResolveAsync(target.IdnHost, clock, cancellationToken);
            Stream connection = new NetworkStream(await Network.ConnectAsync(addresses, target.Port, clock, cancellationToken), ownsSocket: true);
            if (target.Scheme == Uri.UriSchemeHttps)
            {
                Tls = new TlsFacts();
                connection = await Network.HandshakeAsync(connection, target.IdnHost, verifyTls, Tls, clock, cancellationToken);
            }
            clock.Enter(CheckPhase.Waiting);
            return new TimedStream(connection, clock);
        }
    }
}
