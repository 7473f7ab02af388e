namespace StatusPlatform.Faults.Fixtures;

/// <summary>What must hold after a fan-out, whatever failed on the way: each subscriber got each notification, as one message (or request).</summary>
public static class FanOutAssertions
{
    /// <summary>
    /// Per recipient and notification (recognised by the incident name in the subject) exactly one message by
    /// Message-ID, the id Notify gives a delivery on every attempt. Returns the number of repeats: copies of a message
    /// received more than once, which only a crash between the SMTP server's acceptance and the commit can cause.
    /// </summary>
    public static int AssertOneMessagePerNotification(IReadOnlyList<ReceivedMail> mails, IReadOnlyList<string> recipients, IReadOnlyList<string> notifications)
    {
        Assert.DoesNotContain(mails, m => m.MessageId.Length == 0);
        var byRecipient = mails.GroupBy(m => m.To).ToDictionary(g => g.Key, g => g.ToList());
        var missing = recipients.Where(r => !byRecipient.ContainsKey(r)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} subscribers got nothing, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.Equal(recipients.Order(), byRecipient.Keys.Order());
        foreach (var (recipient, received) in byRecipient)
        {
            var perNotification = notifications.Select(n => received.Where(m => m.Subject.Contains(n, StringComparison.Ordinal))
                .Select(m => m.MessageId).Distinct().Count()).ToList();
            Assert.True(perNotification.All(c => c == 1),
                $"{recipient}: distinct messages per notification {string.Join(",", perNotification)} (expected 1 each): {string.Join(" | ", received.Select(m => m.Subject))}");
            Assert.Equal(notifications.Count, received.Select(m => m.MessageId).Distinct().Count());
        }
        return mails.Count - mails.Select(m => (m.To, m.MessageId)).Distinct().Count();
    }

    /// <summary>
    /// Stricter than <see cref="AssertOneMessagePerNotification"/>: per recipient and notification exactly one message by
    /// count, whatever Message-ID a copy carries, and no message besides, for a fault after which not even the
    /// at-least-once window may show. The failure says how many copies came twice or more and whether they kept the
    /// Message-ID of the first (a resend of the same delivery) or not (a second delivery row).
    /// </summary>
    public static void AssertExactlyOneMessageEach(IReadOnlyList<ReceivedMail> mails, IReadOnlyList<string> recipients, IReadOnlyList<string> notifications)
    {
        var counts = recipients.SelectMany(r => notifications.Select(n => (Recipient: r, Notification: n))).ToDictionary(k => k, _ => 0);
        var strays = new List<ReceivedMail>();
        foreach (var mail in mails)
        {
            var matches = notifications.Where(n => mail.Subject.Contains(n, StringComparison.Ordinal)).ToList();
            if (matches.Count == 1 && counts.ContainsKey((mail.To, matches[0])))
                counts[(mail.To, matches[0])]++;
            else
                strays.Add(mail);
        }
        var missing = counts.Where(c => c.Value == 0).Select(c => c.Key).ToList();
        var repeated = counts.Where(c => c.Value > 1).ToList();
        var extra = repeated.Sum(c => c.Value - 1);
        var sameId = mails.Count - mails.Select(m => (m.To, m.MessageId)).Distinct().Count();
        Assert.True(missing.Count == 0 && repeated.Count == 0 && strays.Count == 0,
            $"{mails.Count} messages for {counts.Count} (subscriber, notification) pairs: {missing.Count} got none " +
            $"(e.g. {string.Join(", ", missing.Take(3))}), {repeated.Count} got more than one ({extra} extra messages, {sameId} of them " +
            $"repeating a Message-ID already received; e.g. {string.Join(", ", repeated.Take(3).Select(r => $"{r.Key.Recipient} x{r.Value}"))}), " +
            $"{strays.Count} belong to no pair (e.g. {string.Join(" | ", strays.Take(3).Select(m => $"{m.To}: {m.Subject}"))})");
    }

    /// <summary>
    /// The webhook form of <see cref="AssertExactlyOneMessageEach"/>: per subscriber's path exactly one complete request,
    /// by count, and none to any other path. The failure says how many paths got none or more than one, whether a repeat
    /// carried the delivery id of the first (the same row sent again) or not (a second row), and <paramref name="why"/>.
    /// </summary>
    public static void AssertExactlyOneRequestEach(IReadOnlyList<ReceivedWebhook> complete, IReadOnlyList<string> paths, string why)
    {
        var byPath = complete.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.ToList());
        var missing = paths.Where(p => !byPath.ContainsKey(p)).ToList();
        var repeated = paths.Where(p => byPath.TryGetValue(p, out var got) && got.Count > 1).ToList();
        var sameId = repeated.Sum(p => byPath[p].Count - byPath[p].Select(r => r.DeliveryId).Distinct().Count());
        var strays = byPath.Keys.Except(paths).ToList();
        Assert.True(missing.Count == 0 && repeated.Count == 0 && strays.Count == 0,
            $"{complete.Count} complete requests for {paths.Count} webhook subscribers: {missing.Count} got none (e.g. {string.Join(", ", missing.Take(3))}), " +
            $"{repeated.Count} got more than one ({repeated.Sum(p => byPath[p].Count - 1)} extra, {sameId} of them repeating a delivery id already received; " +
            $"e.g. {string.Join(", ", repeated.Take(3).Select(p => $"{p} x{byPath[p].Count}"))}), {strays.Count} went to no subscriber's path " +
            $"(e.g. {string.Join(", ", strays.Take(3))}); {why}");
    }
}
