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
    public async Task Before_end_runs_when_the_server_holds_all_of_the_message_but_its_end(bool pipelining)
    {
        await using var server = new SmtpTestServer(pipelining);
        await using var pool = Pool(server, maxConnections: 1);
        (int Lines, int Messages)? atBeforeEnd = null;

        await pool.SendAsync(From, "marked@example.com", Message("marked"), async () =>
        {
            // Subject, blank line, body: all three lines reach the server before the delivery would be recorded.
            await Eventually.Until(() => Task.FromResult(server.DataLines), n => n == 3, TimeSpan.FromSeconds(10), "the message's lines at the server");
            atBeforeEnd = (server.DataLines, server.Messages.Count);
        }, CancellationToken.None);

        Assert.Equal((3, 0), atBeforeEnd);
        Assert.Equal("marked@example.com", Assert.Single(server.Messages).To);
    }

    [Fact]
    public async Task A_failing_before_end_abandons_the_message_so_the_server_never_has_it()
    {
        await using var server = new SmtpTestServer();
        await using var pool = Pool(server, maxConnections: 1);
        await pool.SendAsync(From, "first@example.com", Message("first"), null, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.SendAsync(From, "unrecorded@example.com", Message("unrecorded"),
            () => throw new InvalidOperationException("the delivery log is down"), CancellationToken.None));
        await Eventually.Until(() => Task.FromResult(server.Abandoned), n => n == 1, TimeSpan.FromSeconds(10), "the server noticing the dropped connection");
        await pool.SendAsync(From, "next@example.com", Message("next"), null, CancellationToken.None);

        Assert.Equal("the delivery log is down", failure.Message);
        Assert.Equal(["first@example.com", "next@example.com"], server.Messages.Select(m => m.To));
        Assert.Equal(2, server.Connections); // the abandoned session is not reused: its state ends mid-data
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
