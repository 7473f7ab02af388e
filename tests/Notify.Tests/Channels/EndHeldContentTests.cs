using System.Net;
using System.Net.Sockets;
using System.Text;
using StatusPlatform.Notify.Channels;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>
/// The HTTP form of "recorded before the end goes out": the receiver has all of the body but its last byte while the
/// delivery is recorded, and never a whole request if the recording fails.
/// </summary>
public sealed class EndHeldContentTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"incident":{"name":"Database down"}}""");

    [Fact]
    public async Task The_receiver_holds_all_but_the_last_byte_when_before_end_runs_and_the_whole_body_after()
    {
        await using var receiver = new RawHttpReceiver();
        using var client = new HttpClient();
        int? heldAtBeforeEnd = null;

        using var response = await client.PostAsync(receiver.Url, new EndHeldContent(Body, "application/json", async () =>
        {
            await Eventually.Until(() => Task.FromResult(receiver.BodyBytes), n => n == Body.Length - 1, TimeSpan.FromSeconds(10), "the body at the receiver");
            heldAtBeforeEnd = receiver.BodyBytes;
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Body.Length - 1, heldAtBeforeEnd);
        Assert.Equal(Body, Assert.Single(receiver.Complete));
    }

    [Fact]
    public async Task A_failing_before_end_leaves_the_receiver_without_a_whole_request()
    {
        await using var receiver = new RawHttpReceiver();
        using var client = new HttpClient();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => client.PostAsync(receiver.Url,
            new EndHeldContent(Body, "application/json", () => throw new InvalidOperationException("the delivery log is down"))));
        await Eventually.Until(() => Task.FromResult(receiver.Abandoned), n => n == 1, TimeSpan.FromSeconds(10), "the receiver seeing the connection close");

        Assert.Contains("the delivery log is down", failure.ToString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Complete);
        Assert.Equal(Body.Length - 1, receiver.BodyBytes);
    }

    /// <summary>An HTTP/1.1 server reduced to what the test watches: how much of each body arrived, and which bodies were whole.</summary>
    private sealed class RawHttpReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _complete = new();
        private int _bodyBytes;
        private int _abandoned;

        public RawHttpReceiver()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook");

        public int BodyBytes => Volatile.Read(ref _bodyBytes);

        public int Abandoned => Volatile.Read(ref _abandoned);

        public IReadOnlyList<byte[]> Complete => [.. _complete];

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(socket));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var buffer = new byte[64 * 1024];
            var length = 0;
            try
            {
                int headerEnd;
                while ((headerEnd = IndexOf(buffer, length, "\r\n\r\n"u8)) < 0)
                    length += await ReadSomeAsync(stream, buffer, length);
                var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
                var contentLength = int.Parse(headers.Split("\r\n").Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(),
                    System.Globalization.CultureInfo.InvariantCulture);
                var bodyStart = headerEnd + 4;
                Volatile.Write(ref _bodyBytes, length - bodyStart);
                while (length - bodyStart < contentLength)
                {
                    length += await ReadSomeAsync(stream, buffer, length);
                    Volatile.Write(ref _bodyBytes, length - bodyStart);
                }
                _complete.Enqueue(buffer[bodyStart..(bodyStart + contentLength)]);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or SocketException)
            {
                Interlocked.Increment(ref _abandoned);
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task<int> ReadSomeAsync(NetworkStream stream, byte[] buffer, int at)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(at), _stop.Token);
            return read > 0 ? read : throw new EndOfStreamException("The client closed the connection before the whole request.");
        }

        private static int IndexOf(byte[] buffer, int length, ReadOnlySpan<byte> value) => buffer.AsSpan(0, length).IndexOf(value);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
