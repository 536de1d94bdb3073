package io.deltasink.connect.delta.mapping;

/**
 * One entry of a Kusto JSON ingestion mapping.
 *
 * @param column the target column
 * @param path where the value is in the document; null for constants and for transforms that do not
 *     read the document
 * @param dataType the declared data type, or null to take the existing table column's type
 * @param transform the transform, {@link Transform#NONE} for none
 * @param constValue the constant the column always gets ({@code ConstValue}), or null
 */
public record ColumnMapping(
    String column,
    KustoJsonPath path,
    KustoDataType dataType,
    Transform transform,
    String constValue) {}
