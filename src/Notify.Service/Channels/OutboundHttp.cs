using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// The HTTP client for subscriber-given URLs (webhooks, chat): every connection resolves the host itself and refuses
/// internal addresses (<see cref="WebhookTargets"/>) unless allowed, no proxy, and no redirects (a 3xx counts as a
/// failure, as at Statuspage, and cannot bounce a request inwards). Not the factory client: the shared resilience
/// handler would retry, and retries here belong to the delivery log.
/// </summary>
public sealed class OutboundHttp : IDisposable
{
    public OutboundHttp(IOptions<NotifyOptions> options, IOptions<Deliveries.DeliveryOptions> delivery)
    {
        var allowPrivate = options.Value.AllowPrivateWebhookTargets;
        Client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 64,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = async (context, ct) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
                var allowed = allowPrivate ? addresses : [.. addresses.Where(a => !WebhookTargets.IsInternal(a))];
                if (allowed.Length == 0)
                    throw new BlockedTargetException($"{host} resolves only to internal addresses ({string.Join(", ", addresses.Take(3))}); refused.");
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            Timeout = delivery.Value.AttemptTimeout,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("StatusPlatform-Notify/1.0");
    }

    public HttpClient Client { get; }

    /// <summary>Turns an HTTP answer into an outcome, or a classified failure: 4xx (but 408/429) will not change on retry.</summary>
    public static async Task<string> OutcomeAsync(HttpResponseMessage response, bool blameSubscriber, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
            return $"{status} {response.ReasonPhrase}";
        var text = await response.Content.ReadAsStringAsync(ct);
        var message = $"HTTP {status} {response.ReasonPhrase}{(text.Length > 0 ? ": " + (text.Length > 200 ? text[..200] : text) : "")}";
        var permanent = status is >= 300 and < 500 and not 408 and not 429;
        throw new DeliveryException(message, permanent, blameSubscriber);
    }

    /// <summary>Classifies a transport failure; a refused (internal) target is permanent.</summary>
    public static DeliveryException Classify(Exception e, bool blameSubscriber)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is BlockedTargetException blocked)
                return new DeliveryException(blocked.Message, permanent: true, blameSubscriber: true, e);
        }
        return new DeliveryException(e is TaskCanceledException ? "The request timed out." : e.Message, permanent: false, blameSubscriber, e);
    }

    public void Dispose() => Client.Dispose();
}
