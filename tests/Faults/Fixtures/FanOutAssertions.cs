namespace StatusPlatform.Faults.Fixtures;

/// <summary>What must hold after a fan-out, whatever failed on the way: each subscriber got each notification, as one message.</summary>
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
}
