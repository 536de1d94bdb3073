package io.deltasink.connect.delta.writer;

import org.apache.parquet.column.Dictionary;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Materializes rows as Parquet's example {@link Group}s, as {@code GroupRecordConverter} does, but
 * with every binary value (strings, decimals, INT96) in a byte array of its own. Parquet's readers
 * hand out binaries that are views of the decompressed page they came from, and a writer keeps the
 * binaries it is given, without copying, in its dictionaries, statistics and column indexes (for
 * the whole file): rewriting rows read that way keeps every input page alive until the new file is
 * closed, measured as about 100 MB of heap for 2,000,000 temperature rows. Copied, the heap a
 * rewrite holds no longer grows with the rows it copies.
 */
final class DetachedGroups extends RecordMaterializer<Group> {
  private final Groups root;

  DetachedGroups(MessageType schema) {
    this.root = new Groups(null, 0, schema);
  }

  @Override
  public Group getCurrentRecord() {
    return root.current;
  }

  @Override
  public GroupConverter getRootConverter() {
    return root;
  }

  private static final class Groups extends GroupConverter {
    private final Groups parent;
    private final int index;
    private final GroupType type;
    private final Converter[] fields;
    private Group current;

    Groups(Groups parent, int index, GroupType type) {
      this.parent = parent;
      this.index = index;
      this.type = type;
      this.fields = new Converter[type.getFieldCount()];
      for (int i = 0; i < fields.length; i++) {
        Type field = type.getType(i);
        fields[i] =
            field.isPrimitive()
                ? new Values(this, i, field.asPrimitiveType().getPrimitiveTypeName())
                : new Groups(this, i, field.asGroupType());
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return fields[fieldIndex];
    }

    @Override
    public void start() {
      current = parent == null ? new SimpleGroup(type) : parent.current.addGroup(index);
    }

    @Override
    public void end() {}
  }

  private static final class Values extends PrimitiveConverter {
    private final Groups parent;
    private final int index;
    private final boolean binary;
    private Dictionary dictionary;

    /** The current dictionary's entries, copied when first used. */
    private Binary[] copies;

    Values(Groups parent, int index, PrimitiveTypeName type) {
      this.parent = parent;
      this.index = index;
      this.binary =
          type == PrimitiveTypeName.BINARY
              || type == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
              || type == PrimitiveTypeName.INT96;
    }

    private static Binary detached(Binary value) {
      return Binary.fromConstantByteArray(value.getBytes());
    }

    /** Binaries only: a dictionary-encoded value is then copied once per column chunk. */
    @Override
    public boolean hasDictionarySupport() {
      return binary;
    }

    @Override
    public void setDictionary(Dictionary dictionary) {
      this.dictionary = dictionary;
      this.copies = new Binary[dictionary.getMaxId() + 1];
    }

    @Override
    public void addValueFromDictionary(int id) {
      Binary value = copies[id];
      if (value == null) {
        value = detached(dictionary.decodeToBinary(id));
        copies[id] = value;
      }
      parent.current.add(index, value);
    }

    @Override
    public void addBinary(Binary value) {
      parent.current.add(index, detached(value));
    }

    @Override
    public void addBoolean(boolean value) {
      parent.current.add(index, value);
    }

    @Override
    public void addDouble(double value) {
      parent.current.add(index, value);
    }

    @Override
    public void addFloat(float value) {
      parent.current.add(index, value);
    }

    @Override
    public void addInt(int value) {
      parent.current.add(index, value);
    }

    @Override
    public void addLong(long value) {
      parent.current.add(index, value);
    }
  }
}
