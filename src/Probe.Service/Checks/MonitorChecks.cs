using System.Net;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks.Conditions;

namespace StatusPlatform.Probe.Checks;

/// <summary>Runs the check a monitor's kind calls for, and says whether the probe can run a definition at all.</summary>
public sealed class MonitorChecks(HttpCheck http, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Kinds = ["http", "tcp", "tls", "dns", "icmp"];

    public const int MaxRedirects = 50;

    private readonly TcpCheck _tcp = new(time);
    private readonly TlsCheck _tls = new(time);
    private readonly DnsCheck _dns = new(time);
    private readonly IcmpCheck _icmp = new(time);

    public Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken) => Kind(monitor) switch
    {
        "tcp" => _tcp.RunAsync(monitor, cancellationToken),
        "tls" => _tls.RunAsync(monitor, cancellationToken),
        "dns" => _dns.RunAsync(monitor, cancellationToken),
        "icmp" => _icmp.RunAsync(monitor, cancellationToken),
        _ => http.RunAsync(monitor, cancellationToken),
    };

    /// <summary>Null when the probe can run the kind, target and check settings of the monitor; otherwise why not.</summary>
    public static string? Problem(MonitorDefinition monitor)
    {
        var kind = Kind(monitor);
        var settings = monitor.Check ?? CheckSettings.Default;
        switch (kind)
        {
            case "http":
                if (!Uri.TryCreate(monitor.Target, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                    return $"target '{monitor.Target}' is not an absolute http or https URL";
                try
                {
                    HttpCheck.MethodOf(monitor);
                }
                catch (FormatException)
                {
                    return $"method '{monitor.Method}' is not an HTTP method";
                }
                if (settings.MaxRedirects is < 0 or > MaxRedirects)
                    return $"max redirects {settings.MaxRedirects} is outside 0 to {MaxRedirects}";
                if ((settings.Headers ?? []).FirstOrDefault(h => !IsHeader(h)) is { } header)
                    return $"header '{header.Name}' is not a valid header name and value";
                foreach (var text in settings.Conditions ?? [])
                {
                    try
                    {
                        Condition.Parse(text);
                    }
                    catch (ConditionSyntaxException e)
                    {
                        return $"condition {e.Message}";
                    }
                }
                break;
            case "tcp" when !Network.TryParseEndpoint(monitor.Target, null, out _, out _):
                return $"target '{monitor.Target}' is not host:port";
            case "tls" when !Network.TryParseEndpoint(monitor.Target, TlsCheck.DefaultPort, out _, out _):
                return $"target '{monitor.Target}' is not host:port";
            case "dns" or "icmp" when Uri.CheckHostName(monitor.Target.Trim()) == UriHostNameType.Unknown:
                return $"target '{monitor.Target}' is not a host name or address";
            case "dns" when (settings.ExpectedAddresses ?? []).FirstOrDefault(a => !IPAddress.TryParse(a, out _)) is { } address:
                return $"expected address '{address}' is not an IP address";
            case "tcp" or "tls" or "dns" or "icmp":
                break;
            default:
                return $"kind '{monitor.Kind}' is not supported by this probe (supported: {string.Join(", ", Kinds)})";
        }
        return settings.DegradedAfterMs is <= 0 ? "the degraded threshold must be positive" : null;
    }

    private static string Kind(MonitorDefinition monitor) => monitor.Kind.Trim().ToLowerInvariant();

    private static bool IsHeader(HttpHeader header)
    {
        // The same rules HttpClient applies when it sends them, checked before a check fails on them.
        using var request = new HttpRequestMessage();
        using var content = new ByteArrayContent([]);
        return !string.IsNullOrWhiteSpace(header.Name) && !header.Value.Contains('\r') && !header.Value.Contains('\n')
            && (request.Headers.TryAddWithoutValidation(header.Name, header.Value) || content.Headers.TryAddWithoutValidation(header.Name, header.Value));
    }
}
