using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Messages;

namespace StatusPlatform.Notify.Channels;

/// <summary>SMS through a Twilio-style provider: form POST of To, From and Body to Notify:Sms:BaseUrl with basic auth.</summary>
public sealed class SmsSender(IHttpClientFactory factory, IOptions<NotifyOptions> options, LinkBuilder links) : IChannelSender
{
    public const string HttpClientName = "sms";

    private readonly SmsOptions _sms = options.Value.Sms;

    public IReadOnlyList<string> Channels { get; } = [SubscriptionChannel.Sms];

    public string Destination(DeliveryToSend delivery) => _sms.BaseUrl ?? "sms";

    public async Task<string> SendAsync(DeliveryToSend delivery, Action? afterEnd, CancellationToken ct)
    {
        if (!_sms.Enabled)
            throw new DeliveryException("No SMS provider is configured (Notify:Sms:BaseUrl).", permanent: false, blameSubscriber: false);
        var notice = delivery.Notice ?? throw new DeliveryException("The delivery has no notice to render.", permanent: true, blameSubscriber: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, _sms.BaseUrl)
        {
            Content = new AfterEndContent(Encoding.ASCII.GetBytes(Form(
                ("To", delivery.Recipient),
                ("From", _sms.From),
                ("Body", SmsText.Render(notice, Texts.For(delivery.Locale), links.For(delivery.SubscriberId, notice.IncidentId))))),
                "application/x-www-form-urlencoded", afterEnd),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_sms.AccountSid}:{_sms.AuthToken}")));
        HttpResponseMessage response;
        try
        {
            response = await factory.CreateClient(HttpClientName).SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw OutboundHttp.Classify(e, blameSubscriber: false);
        }
        using (response)
        {
            // A 400 from the provider is about the number (Twilio: invalid or unreachable "To"); anything else is the provider's.
            return await OutboundHttp.OutcomeAsync(response, blameSubscriber: response.StatusCode == System.Net.HttpStatusCode.BadRequest, ct);
        }
    }

    /// <summary>application/x-www-form-urlencoded, as FormUrlEncodedContent writes it (spaces as "+").</summary>
    private static string Form(params (string Key, string Value)[] fields) =>
        string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value).Replace("%20", "+", StringComparison.Ordinal)}"));
}
