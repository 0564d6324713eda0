"""Trains a small classifier with mixed precision and exports it to ONNX."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.cuda.amp import GradScaler, autocast
from torch.utils.data import DataLoader, TensorDataset

from model import Classifier


def train(epochs: int = 3, checkpoint: str = "ckpt.pt") -> nn.Module:
    data = TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,)))
    loader = DataLoader(data, batch_size=32, shuffle=True)
    model = Classifier(16, 4)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    scaler = GradScaler()
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            with autocast():
                loss = F.cross_entropy(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        scheduler.step()
    torch.save(model.state_dict(), checkpoint)
    return model


def resume(checkpoint: str = "ckpt.pt") -> nn.Module:
    model = Classifier(16, 4)
    model.load_state_dict(torch.load(checkpoint))
    return model


def export(model: nn.Module, path: str = "model.onnx") -> None:
    example = torch.randn(1, 16)
    # export_params passed positionally, as older tutorials do
    torch.onnx.export(model, (example,), path, True, opset_version=17)


if __name__ == "__main__":
    export(train())
