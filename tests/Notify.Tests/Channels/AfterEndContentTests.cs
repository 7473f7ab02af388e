using System.Net;
using System.Net.Sockets;
using System.Text;
using StatusPlatform.Notify.Channels;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>The HTTP form of "marked the moment its end goes out": after the whole body is at the receiver, before its answer.</summary>
public sealed class AfterEndContentTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"incident":{"name":"Database down"}}""");

    [Fact]
    public async Task After_end_runs_once_the_receiver_has_the_whole_body_and_before_its_answer()
    {
        await using var receiver = new RawHttpReceiver();
        using var client = new HttpClient();
        var afterEnd = new TaskCompletionSource();
        var calls = 0;

        var posting = client.PostAsync(receiver.Url, new AfterEndContent(Body, "application/json", () =>
        {
            Interlocked.Increment(ref calls);
            afterEnd.TrySetResult();
        }));
        await afterEnd.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => Task.FromResult(receiver.Complete.Count), n => n == 1, TimeSpan.FromSeconds(10), "the whole body at the receiver");
        var answeredBefore = posting.IsCompleted;
        receiver.Answer.SetResult();
        using var response = await posting;

        Assert.False(answeredBefore);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, calls);
        Assert.Equal(Body, Assert.Single(receiver.Complete));
    }

    [Fact]
    public async Task After_end_is_not_called_when_the_body_never_went_out()
    {
        using var client = new HttpClient();
        var calls = 0;

        // Port 1 of loopback: the connection is refused, so no byte of the body is written.
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("http://127.0.0.1:1/hook", new AfterEndContent(Body, "application/json", () => calls++)));

        Assert.Equal(0, calls);
    }

    /// <summary>An HTTP/1.1 server reduced to what the test watches: the whole bodies it got, and an answer held until released.</summary>
    private sealed class RawHttpReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _complete = new();

        public RawHttpReceiver()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook");

        public TaskCompletionSource Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
                while ((headerEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
                    length += await ReadSomeAsync(stream, buffer, length);
                var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
                var contentLength = int.Parse(headers.Split("\r\n").Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(),
                    System.Globalization.CultureInfo.InvariantCulture);
                var bodyStart = headerEnd + 4;
                while (length - bodyStart < contentLength)
                    length += await ReadSomeAsync(stream, buffer, length);
                _complete.Enqueue(buffer[bodyStart..(bodyStart + contentLength)]);
                await Answer.Task.WaitAsync(_stop.Token);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or SocketException or OperationCanceledException)
            {
            }
        }

        private async Task<int> ReadSomeAsync(NetworkStream stream, byte[] buffer, int at)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(at), _stop.Token);
            return read > 0 ? read : throw new EndOfStreamException("The client closed the connection before the whole request.");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
