"""An older-style tutorial script: a linear layer inspected and stepped by hand (.data, .grad.data,
printed Parameters), then a one-hidden-layer network with a Python-side accuracy count."""

import numpy as np
import torch
import torch.nn as nn

x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
y = w * x + b
y.backward()
print(x.grad)
print(w.grad)
print(b.grad)

x = torch.randn(10, 3)
y = torch.randn(10, 2)
linear = nn.Linear(3, 2)
print("w: ", linear.weight)
print("b: ", linear.bias)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(linear.parameters(), lr=0.01)
pred = linear(x)
loss = criterion(pred, y)
print("loss: ", loss.item())
loss.backward()
print("dL/dw: ", linear.weight.grad)
print("dL/db: ", linear.bias.grad)
optimizer.step()
linear.weight.data.sub_(0.01 * linear.weight.grad.data)
linear.bias.data.sub_(0.01 * linear.bias.grad.data)
pred = linear(x)
loss = criterion(pred, y)
print("loss after 2 steps: ", loss.item())

a = np.array([[1, 2], [3, 4]])
t = torch.from_numpy(a)
print(t, t.numpy().sum(), t.dtype)

input_size, hidden_size, num_classes = 16, 20, 4
num_epochs, batch_size, learning_rate = 3, 25, 0.01
images = torch.randn(200, 4, 4)
labels = images.reshape(200, 16)[:, :4].argmax(dim=1)
train_dataset = torch.utils.data.TensorDataset(images[:150], labels[:150])
test_dataset = torch.utils.data.TensorDataset(images[150:], labels[150:])
train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=True)
test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=batch_size, shuffle=False)


class NeuralNet(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super(NeuralNet, self).__init__()  # noqa: UP008 - the tutorial's spelling
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out = self.fc1(x)
        out = self.relu(out)
        out = self.fc2(out)
        return out


model = NeuralNet(input_size, hidden_size, num_classes)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (imgs, lbls) in enumerate(train_loader):
        imgs = imgs.reshape(-1, input_size)
        outputs = model(imgs)
        loss = criterion(outputs, lbls)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 3 == 0:
            print(f"Epoch [{epoch + 1}/{num_epochs}], Step [{i + 1}/{total_step}], Loss: {loss.item():.4f}")

with torch.no_grad():
    correct = 0
    total = 0
    for imgs, lbls in test_loader:
        imgs = imgs.view(-1, input_size)
        outputs = model(imgs)
        _, predicted = torch.max(outputs.data, 1)
        total += lbls.size(0)
        correct += (predicted == lbls).sum()
    print(f"Accuracy of the network on the {total} test images: {100 * correct / total} %")
    print("Accuracy: %d %%" % (100 * correct // total))  # noqa: UP031 - the tutorial's formatting

torch.save(model.state_dict(), "model.ckpt")
model.load_state_dict(torch.load("model.ckpt"))
print(model.fc2.bias)
