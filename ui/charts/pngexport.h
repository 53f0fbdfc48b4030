#pragma once

#include <QSize>
#include <QString>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace starling::ui {

// Renders a widget (a chart, a whole window) into a PNG file at the given size, without
// needing it on screen. Returns an error text, empty on success.
QString saveWidgetPng(QWidget *widget, QSize size, const QString &path);

} // namespace starling::ui
