using System.Text;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// Webhooks (Statuspage-shaped JSON, signed with the subscriber's secret in X-StatusPlatform-Signature) and chat
/// incoming webhooks (the platform's own body). Any 2xx within the timeout is a delivery.
/// </summary>
public sealed class WebhookSender(OutboundHttp http, IOptions<NotifyOptions> options, LinkBuilder links, TimeProvider clock) : IChannelSender
{
    public const string SignatureHeader = "X-StatusPlatform-Signature";

    public IReadOnlyList<string> Channels { get; } = [SubscriptionChannel.Webhook, .. SubscriptionChannel.Chat];

    public string Destination(DeliveryToSend delivery) =>
        Uri.TryCreate(delivery.Recipient, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : delivery.Recipient;

    public async Task<string> SendAsync(DeliveryToSend delivery, Action? afterEnd, CancellationToken ct)
    {
        var notice = delivery.Notice ?? throw new DeliveryException("The delivery has no notice to render.", permanent: true, blameSubscriber: false);
        var messageLinks = links.For(delivery.SubscriberId, notice.IncidentId);
        var now = clock.GetUtcNow();
        var body = delivery.Channel == SubscriptionChannel.Webhook
            ? WebhookPayload.Render(notice, options.Value.PageId, messageLinks, now)
            : ChatMessage.Render(delivery.Channel, notice, Texts.For(delivery.Locale), delivery.OpsRoom ? messageLinks with { Manage = "", Unsubscribe = "" } : messageLinks);

        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Recipient)
        {
            Content = new AfterEndContent(Encoding.UTF8.GetBytes(body), "application/json", afterEnd),
        };
        if (delivery.Channel == SubscriptionChannel.Webhook && delivery.Secret is { } secret)
            request.Headers.Add(SignatureHeader, SubscriberTokens.WebhookSignature(secret, now.ToUnixTimeSeconds(), body));
        request.Headers.Add("X-StatusPlatform-Delivery", delivery.Id.ToString());
        HttpResponseMessage response;
        try
        {
            response = await http.Client.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw OutboundHttp.Classify(e, blameSubscriber: true);
        }
        using (response)
            return await OutboundHttp.OutcomeAsync(response, blameSubscriber: true, ct);
    }
}
