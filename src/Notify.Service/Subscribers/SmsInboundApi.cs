using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>
/// The SMS provider's webhook for incoming texts (Twilio's "A message comes in", a form POST of From, To, Body,
/// MessageSid, ...). Answered here rather than through StatusApi: it is the provider calling with its own signature,
/// not a reader of the page, and only Notify.Service knows subscribers. Only requests signed with Notify:Sms:AuthToken
/// are read at all; without a token the endpoint refuses everything, since an unsigned STOP would let anyone
/// unsubscribe any number.
/// </summary>
public static class SmsInboundApi
{
    public const string Path = "/api/sms/inbound";

    /// <summary>The empty TwiML answer: no reply text (the provider sends its own opt-out confirmation).</summary>
    public const string EmptyTwiml = """<?xml version="1.0" encoding="UTF-8"?><Response></Response>""";

    private const string ProblemType = "urn:statusplatform:problem:sms-inbound";

    public static IEndpointRouteBuilder MapSmsInboundApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, IOptions<NotifyOptions> options, NotifyDatabase database, SmsOptOut optOut, ILogger<SmsOptOut> logger, CancellationToken ct)
    {
        var sms = options.Value.Sms;
        if (string.IsNullOrEmpty(sms.AuthToken))
            return Refused(StatusCodes.Status403Forbidden, "Incoming SMS are refused: Notify:Sms:AuthToken is not set, so no signature can be checked.");
        if (!request.HasFormContentType)
            return Refused(StatusCodes.Status415UnsupportedMediaType, "Expected a form post (application/x-www-form-urlencoded).");
        var form = await request.ReadFormAsync(ct);
        var fields = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))).ToList();
        if (!TwilioSignature.IsValid(sms.AuthToken, SignedUrl(request, sms), fields, request.Headers[TwilioSignature.Header]))
            return Refused(StatusCodes.Status403Forbidden, $"The {TwilioSignature.Header} header is missing or does not match this request.");

        var messageSid = form["MessageSid"].ToString().Trim();
        var from = form["From"].ToString().Trim();
        if (messageSid.Length is 0 or > 64 || from.Length is 0 or > 64)
            return Refused(StatusCodes.Status400BadRequest, "MessageSid and From are required (at most 64 characters each).");

        var keyword = SmsOptOut.Keyword(form["Body"].ToString());
        if (keyword != SmsKeyword.None)
        {
            await database.WhenReadyAsync(ct);
            var result = await optOut.ApplyAsync(messageSid, from, keyword, ct);
            // The message id, not the number: the log is no place for subscribers' phone numbers.
            logger.LogInformation("Incoming SMS {MessageSid}: {Keyword} changed {Count} subscriber(s); already handled before: {AlreadyHandled}",
                messageSid, keyword, result.SubscribersChanged, result.AlreadyHandled);
        }
        return TypedResults.Content(EmptyTwiml, "text/xml", System.Text.Encoding.UTF8);
    }

    /// <summary>
    /// The URL the provider signed: Notify:Sms:InboundUrl as configured at the provider (behind a proxy the request
    /// arrives with another host and scheme), else this request's own URL, query string included.
    /// </summary>
    private static string SignedUrl(HttpRequest request, SmsOptions sms) =>
        !string.IsNullOrWhiteSpace(sms.InboundUrl) ? sms.InboundUrl
        : $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";

    private static ProblemHttpResult Refused(int status, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: "The incoming SMS was not accepted.", type: ProblemType);
}
