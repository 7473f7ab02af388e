using System.Text;
using StatusPlatform.Notify.Channels;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>The SMTP client against a tiny server of the test's own: many messages per connection, and what happens when one breaks.</summary>
public sealed class SmtpConnectionPoolTests
{
    private const string From = "status@statusplatform.local";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Many_messages_go_over_one_connection_with_one_ehlo(bool pipelining)
    {
        await using var server = new SmtpTestServer(pipelining);
        var pool = Pool(server, maxConnections: 1);

        for (var i = 0; i < 30; i++)
            Assert.Equal(250, (await pool.SendAsync(From, $"fan-{i}@example.com", Message($"message {i}"), null, CancellationToken.None)).Code);
        await pool.DisposeAsync();

        Assert.Equal(1, server.Connections);
        Assert.Single(server.Commands, c => c.StartsWith("EHLO", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"fan-{i}@example.com"), server.Messages.Select(m => m.To));
        Assert.Equal(1, server.Quits);
    }

    [Fact]
    public async Task Concurrent_sends_share_at_most_the_pools_connections()
    {
        await using var server = new SmtpTestServer();
        await using var pool = Pool(server, maxConnections: 3);

        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await pool.SendAsync(From, $"fan-{i}@example.com", Message($"message {i}"), null, ct));

        Assert.InRange(server.Connections, 1, 3);
        Assert.Equal(pool.Opened, server.Connections);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"fan-{i}@example.com").Order(), server.Messages.Select(m => m.To).Order());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_connection_the_server_dropped_is_reopened_without_losing_or_doubling_a_message(bool pipelining)
    {
        await using var server = new SmtpTestServer(pipelining) { DropAfterMessages = 3 };
        await using var pool = Pool(server, maxConnections: 1);

        var sent = Enumerable.Range(0, 10).Select(i => $"fan-{i}@example.com").ToList();
        foreach (var to in sent)
            await pool.SendAsync(From, to, Message(to), null, CancellationToken.None);

        // Messages 1-3, 4-6, 7-9 and 10: each drop is noticed by the next message, which goes over a new connection.
        Assert.Equal(sent, server.Messages.Select(m => m.To));
        Assert.Equal([1, 1, 1, 2, 2, 2, 3, 3, 3, 4], server.Messages.Select(m => m.Connection));
        Assert.Equal(4, pool.Opened);
    }

    [Fact]
    public async Task A_connection_lost_in_the_middle_of_a_message_is_transient_and_the_next_message_gets_a_new_one()
    {
        await using var server = new SmtpTestServer { DropDuringDataOf = "dropped@example.com" };
        await using var pool = Pool(server, maxConnections: 1);
        await pool.SendAsync(From, "first@example.com", Message("first"), null, CancellationToken.None);

        // The server may have taken the message before it went away: not sent again here (the delivery log retries it,
        // with the same Message-ID), and not permanent.
        var failure = await Assert.ThrowsAsync<SmtpSessionException>(() => pool.SendAsync(From, "dropped@example.com", Message("dropped"), null, CancellationToken.None));
        Assert.Equal((SmtpStage.Message, false, false, true), (failure.Stage, failure.BeforeMessage, failure.Permanent, failure.ConnectionLost));
        await pool.SendAsync(From, "next@example.com", Message("next"), null, CancellationToken.None);

        Assert.Equal(["first@example.com", "next@example.com"], server.Messages.Select(m => m.To));
        Assert.Equal(2, server.Connections);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_refused_recipient_is_permanent_and_the_connection_is_reset_and_reused(bool pipelining)
    {
        await using var server = new SmtpTestServer(pipelining);
        await using var pool = Pool(server, maxConnections: 1);

        var refused = await Assert.ThrowsAsync<SmtpSessionException>(() => pool.SendAsync(From, "unknown@example.com", Message("x"), null, CancellationToken.None));
        var later = await Assert.ThrowsAsync<SmtpSessionException>(() => pool.SendAsync(From, "later@example.com", Message("x"), null, CancellationToken.None));
        await pool.SendAsync(From, "known@example.com", Message("known"), null, CancellationToken.None);

        Assert.Equal((SmtpStage.RcptTo, 550, true, false), (refused.Stage, refused.Reply?.Code, refused.Permanent, refused.ConnectionLost));
        Assert.Equal((SmtpStage.RcptTo, 451, false, false), (later.Stage, later.Reply?.Code, later.Permanent, later.ConnectionLost));
        Assert.Equal(2, server.Commands.Count(c => c == "RSET"));
        Assert.Equal("known@example.com", Assert.Single(server.Messages).To);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Lines_that_start_with_a_dot_arrive_unchanged()
    {
        await using var server = new SmtpTestServer();
        await using var pool = Pool(server, maxConnections: 1);
        const string data = "Subject: dots\r\n\r\n.\r\n..two\r\n.one\r\nend.\r\n";

        await pool.SendAsync(From, "dots@example.com", Encoding.ASCII.GetBytes(data), null, CancellationToken.None);

        Assert.Equal(data, Assert.Single(server.Messages).Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task After_end_runs_once_the_whole_message_is_at_the_server_and_before_its_reply(bool pipelining)
    {
        var reply = new TaskCompletionSource();
        await using var server = new SmtpTestServer(pipelining) { HoldEndOfDataReply = reply.Task };
        await using var pool = Pool(server, maxConnections: 1);
        var afterEnd = new TaskCompletionSource();
        var calls = 0;

        var sending = pool.SendAsync(From, "marked@example.com", Message("marked"), () =>
        {
            Interlocked.Increment(ref calls);
            afterEnd.TrySetResult();
        }, CancellationToken.None);
        await afterEnd.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => Task.FromResult(server.Messages.Count), n => n == 1, TimeSpan.FromSeconds(10), "the whole message at the server");
        var completedBeforeReply = sending.IsCompleted;
        reply.SetResult();

        Assert.Equal(250, (await sending).Code);
        Assert.False(completedBeforeReply);
        Assert.Equal(1, calls);
        Assert.Equal("marked@example.com", Assert.Single(server.Messages).To);
    }

    [Fact]
    public async Task After_end_is_not_called_for_a_message_refused_before_its_data()
    {
        await using var server = new SmtpTestServer();
        await using var pool = Pool(server, maxConnections: 1);
        var calls = 0;

        await Assert.ThrowsAsync<SmtpSessionException>(() => pool.SendAsync(From, "unknown@example.com", Message("x"), () => calls++, CancellationToken.None));
        await pool.SendAsync(From, "known@example.com", Message("known"), () => calls++, CancellationToken.None);

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_server_that_is_not_there_fails_transiently_at_connect()
    {
        await using var pool = new SmtpConnectionPool(new SmtpOptions { Host = "127.0.0.1", Port = 1, Timeout = TimeSpan.FromSeconds(5) }, 1, TimeProvider.System);

        var failure = await Assert.ThrowsAsync<SmtpSessionException>(() => pool.SendAsync(From, "x@example.com", Message("x"), null, CancellationToken.None));

        Assert.Equal((SmtpStage.Connect, false, true), (failure.Stage, failure.Permanent, failure.ConnectionLost));
        Assert.StartsWith("Failure sending mail.", failure.Message);
    }

    private static SmtpConnectionPool Pool(SmtpTestServer server, int maxConnections) =>
        new(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Timeout = TimeSpan.FromSeconds(10) }, maxConnections, TimeProvider.System);

    private static byte[] Message(string text) => Encoding.ASCII.GetBytes($"Subject: {text}\r\n\r\n{text}\r\n");
}
