using System.Text;
using Annlsp.Server;
using Nerdbank.Streams;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>Bytes on the wire, for tests that must send what no well-behaved client would.</summary>
public sealed class RawLspConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Task<int> _server;
    private readonly List<byte> _buffer = new();

    private RawLspConnection(Stream stream, Task<int> server) { _stream = stream; _server = server; }

    public static RawLspConnection StartInProcess()
    {
        var (client, server) = FullDuplexStream.CreatePair();
        var task = Task.Run(() => LanguageServer.RunAsync(server, server, new ServerOptions { LogWriter = TextWriter.Null }));
        return new RawLspConnection(client, task);
    }

    public Task SendAsync(string json) => SendBytesAsync(Encoding.UTF8.GetBytes(json), contentLengthHeader: true);

    public async Task SendBytesAsync(byte[] bytes, bool contentLengthHeader = false)
    {
        if (contentLengthHeader) await _stream.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"));
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next response with this id (null: the id-null error response), skipping notifications.</summary>
    public async Task<JObject> ReceiveResponseAsync(int? id, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var message = await ReceiveAsync(cts.Token);
            if (message.ContainsKey("method")) continue;
            var messageId = message["id"];
            if (id is null ? messageId is null || messageId.Type == JTokenType.Null : messageId?.Type == JTokenType.Integer && messageId.Value<int>() == id)
                return message;
        }
    }

    public async Task<JObject> ReceiveAsync(CancellationToken cancellationToken)
    {
        var chunk = new byte[65536];
        while (true)
        {
            var text = Encoding.ASCII.GetString(_buffer.ToArray());
            int headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0)
            {
                var header = text[..headerEnd];
                int length = int.Parse(header.Split("\r\n").First(l => l.StartsWith("Content-Length:")).Split(':')[1].Trim());
                int start = headerEnd + 4;
                if (_buffer.Count >= start + length)
                {
                    var body = Encoding.UTF8.GetString(_buffer.GetRange(start, length).ToArray());
                    _buffer.RemoveRange(0, start + length);
                    return JObject.Parse(body);
                }
            }
            int n = await _stream.ReadAsync(chunk, cancellationToken);
            if (n == 0) throw new EndOfStreamException("server closed the stream");
            _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    public Task<int> WaitForExitAsync() => _server.WaitAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        try { await _server.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
    }
}
