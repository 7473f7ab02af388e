using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>What an incoming text asks for: the carriers' opt-out and opt-in keywords, nothing else.</summary>
public enum SmsKeyword
{
    None,
    Stop,
    Start,
}

/// <summary>The outcome of an incoming text: <see cref="AlreadyHandled"/> when its MessageSid was seen before (nothing changed).</summary>
public sealed record SmsOptOutResult(SmsKeyword Keyword, bool AlreadyHandled, int SubscribersChanged);

/// <summary>
/// STOP by text: a subscriber who replies STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) to our SMS number leaves,
/// every SMS subscription of that number, as if it had used the unsubscribe link; START or UNSTOP brings back what a
/// STOP ended (and nothing that left another way). Each provider message id is applied once, in the same statement that
/// applies it, so a webhook the provider retries changes nothing twice.
/// </summary>
public sealed class SmsOptOut(NpgsqlDataSource dataSource)
{
    /// <summary>The reason recorded with an unsubscribe by text (notify.subscribers.unsubscribe_reason).</summary>
    public const string Reason = "sms stop";

    private static readonly HashSet<string> StopWords = new(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> StartWords = new(["START", "UNSTOP"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The keyword the whole body is (case-insensitive, surrounding white space ignored), as carriers read it; "stop please" is none.</summary>
    public static SmsKeyword Keyword(string? body)
    {
        var word = body?.Trim() ?? "";
        return StopWords.Contains(word) ? SmsKeyword.Stop : StartWords.Contains(word) ? SmsKeyword.Start : SmsKeyword.None;
    }

    public async Task<SmsOptOutResult> ApplyAsync(string messageSid, string from, SmsKeyword keyword, CancellationToken ct)
    {
        if (keyword == SmsKeyword.None)
            return new SmsOptOutResult(keyword, AlreadyHandled: false, SubscribersChanged: 0);
        // One statement: the marker and the change commit together, and a second delivery of the same message waits on
        // the marker's key until the first commits, then finds it and changes nothing.
        var change = keyword == SmsKeyword.Stop
            ? "unsubscribed_at = now(), unsubscribe_reason = $4 where unsubscribed_at is null"
            : "unsubscribed_at = null, unsubscribe_reason = null where unsubscribed_at is not null and unsubscribe_reason = $4";
        await using var command = dataSource.CreateCommand($"""
            with marker as (
                insert into notify.sms_inbound (message_sid, from_number, keyword) values ($1, $2, $3)
                on conflict (message_sid) do nothing
                returning message_sid
            ), changed as (
                update notify.subscribers set {change}
                  and channel = '{SubscriptionChannel.Sms}' and phone_number = $2 and source <> 'ops-room' and exists (select 1 from marker)
                returning id
            )
            select (select count(*) from marker), (select count(*) from changed)
            """);
        command.Parameters.Add(DeliveryLog.Text(messageSid));
        command.Parameters.Add(DeliveryLog.Text(from));
        command.Parameters.Add(DeliveryLog.Text(keyword == SmsKeyword.Stop ? "stop" : "start"));
        command.Parameters.Add(DeliveryLog.Text(Reason));
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new SmsOptOutResult(keyword, AlreadyHandled: reader.GetInt64(0) == 0, SubscribersChanged: (int)reader.GetInt64(1));
    }
}
