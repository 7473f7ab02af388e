namespace StatusPlatform.Operations.Tests.Telemetry;

/// <summary>
/// Just enough of the protobuf wire format to walk OTLP requests: the exporter's message types are internal to it,
/// and Google.Protobuf is not on the package mirror. Yields (field number, wire type, value) for one message.
/// </summary>
internal static class Protobuf
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int Length = 2;
    public const int Fixed32 = 5;

    public readonly record struct Field(int Number, int WireType, ulong Scalar, ReadOnlyMemory<byte> Bytes)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Bytes.Span);

        public string Hex => Convert.ToHexStringLower(Bytes.Span);
    }

    public static IEnumerable<Field> Read(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message.Span, ref position);
            var number = (int)(key >> 3);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case Varint:
                    yield return new Field(number, wireType, ReadVarint(message.Span, ref position), default);
                    break;
                case Fixed64:
                    yield return new Field(number, wireType, BitConverter.ToUInt64(message.Span.Slice(position, 8)), default);
                    position += 8;
                    break;
                case Length:
                    var length = checked((int)ReadVarint(message.Span, ref position));
                    yield return new Field(number, wireType, 0, message.Slice(position, length));
                    position += length;
                    break;
                case Fixed32:
                    yield return new Field(number, wireType, BitConverter.ToUInt32(message.Span.Slice(position, 4)), default);
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {wireType} for field {number} at byte {position}.");
            }
        }
    }

    public static IEnumerable<Field> Fields(this ReadOnlyMemory<byte> message, int number) => Read(message).Where(f => f.Number == number);

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new FormatException("Malformed varint.");
    }
}
